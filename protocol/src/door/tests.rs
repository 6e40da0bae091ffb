use super::*;

const NET: NetworkId = NetworkId([3; 16]);
const ID: InviteId = InviteId([7; ID_LEN]);
const SECRET: [u8; SECRET_LEN] = [0x42; SECRET_LEN];
const INVITER: AuthorId = AuthorId([0x33; 32]);

fn request() -> Request {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let node = vec![0, 36, 8, 1, 18, 32, 9, 9];
    let proof = key
        .sign(&crate::membership::proof_message(&NET, &ID.0, &node))
        .to_bytes();
    Request {
        author: AuthorId::from(&key.verifying_key()),
        node,
        name: "Girls Learn International".into(),
        proof,
    }
}

fn welcome() -> Answer {
    Answer::Welcome {
        key: [0xee; 32],
        name: "Coalition for Girls' Education".into(),
        boot: vec!["/ip4/192.0.2.1/tcp/7654/p2p/12D3KooWExample".into()],
        root: Some(AuthorId([0x33; 32])),
        log: vec![vec![0xa1; 40], vec![0xa2; 60]],
    }
}

/// Everything the joiner reads of a reply: the answer, then its frames.
fn receive(joiner: &mut Joiner, reply: &[u8]) -> Result<Answer, DoorError> {
    let (status, m2) = split_answer(reply);
    let mut answer = joiner.finish(status, &m2)?;
    if let Answer::Welcome { log, .. } = &mut answer {
        let frames = joiner.frames();
        let mut rest = &reply[3 + m2.len()..];
        for _ in 0..frames {
            let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
            log.extend(joiner.read_frame(&rest[2..2 + len])?);
            rest = &rest[2 + len..];
        }
        assert!(rest.is_empty());
    }
    Ok(answer)
}

/// Splits the joiner's hello into the id and message 1, as a door reads it.
fn split_hello(hello: &[u8]) -> (InviteId, Vec<u8>) {
    let id = InviteId(hello[..ID_LEN].try_into().expect("id"));
    let len = u16::from_be_bytes([hello[ID_LEN], hello[ID_LEN + 1]]) as usize;
    assert_eq!(hello.len(), ID_LEN + 2 + len);
    (id, hello[ID_LEN + 2..].to_vec())
}

fn split_answer(bytes: &[u8]) -> (u8, Vec<u8>) {
    if bytes.len() == 1 {
        return (bytes[0], Vec::new());
    }
    let len = u16::from_be_bytes([bytes[1], bytes[2]]) as usize;
    (bytes[0], bytes[3..3 + len].to_vec())
}

#[test]
fn a_welcome_goes_through_and_carries_the_key_encrypted() {
    let (mut joiner, hello) =
        Joiner::start(&NET, &ID, &INVITER, &SECRET, &request()).expect("start");
    let (id, m1) = split_hello(&hello);
    assert_eq!(id, ID);
    let (door, got) = Door::accept(&NET, &id, &INVITER, &SECRET, &m1).expect("accept");
    assert_eq!(got, request());
    assert!(got.proves(&NET, &ID));
    assert!(!got.proves(&NET, &InviteId([8; ID_LEN])));
    let mut other = got.clone();
    other.author = AuthorId([0x33; 32]);
    assert!(!other.proves(&NET, &ID));
    let reply = door.answer(&welcome()).expect("answer");
    assert_eq!(receive(&mut joiner, &reply).expect("finish"), welcome());
    // Neither the key, nor the secret, nor a protocol name, nor the request's name is in clear.
    let wire = [hello.as_slice(), reply.as_slice()].concat();
    for needle in [
        &[0xee; 32][..],
        &SECRET[..],
        &[0xa1; 40][..],
        b"Noise",
        b"wsf",
        b"libp2p",
        b"Girls",
        b"Coalition",
    ] {
        assert!(
            !wire.windows(needle.len()).any(|w| w == needle),
            "{:?} in clear",
            String::from_utf8_lossy(needle)
        );
    }
}

#[test]
fn refusals_are_said_inside_the_encrypted_answer() {
    for refusal in [Refusal::Expired, Refusal::UsedUp, Refusal::Revoked] {
        let (mut joiner, hello) =
            Joiner::start(&NET, &ID, &INVITER, &SECRET, &request()).expect("start");
        let (id, m1) = split_hello(&hello);
        let (door, _) = Door::accept(&NET, &id, &INVITER, &SECRET, &m1).expect("accept");
        let (status, m2) = split_answer(&door.answer(&Answer::Refused(refusal)).expect("answer"));
        assert_eq!(joiner.finish(status, &m2), Ok(Answer::Refused(refusal)));
    }
}

#[test]
fn an_edited_secret_another_network_or_another_id_is_not_authentic() {
    let mut edited = SECRET;
    edited[31] ^= 1;
    let (_, hello) = Joiner::start(&NET, &ID, &INVITER, &edited, &request()).expect("start");
    let (id, m1) = split_hello(&hello);
    assert_eq!(
        Door::accept(&NET, &id, &INVITER, &SECRET, &m1).map(|_| ()),
        Err(DoorError::NotAuthentic)
    );
    // The secret right, but made for another network or another invite id (prologue).
    let (_, hello) =
        Joiner::start(&NetworkId([4; 16]), &ID, &INVITER, &SECRET, &request()).expect("start");
    let (id, m1) = split_hello(&hello);
    assert!(matches!(
        Door::accept(&NET, &id, &INVITER, &SECRET, &m1),
        Err(DoorError::NotAuthentic)
    ));
    let (_, hello) =
        Joiner::start(&NET, &InviteId([8; ID_LEN]), &INVITER, &SECRET, &request()).expect("start");
    let (_, m1) = split_hello(&hello);
    assert!(matches!(
        Door::accept(&NET, &ID, &INVITER, &SECRET, &m1),
        Err(DoorError::NotAuthentic)
    ));
    // The code's inviter edited (another organisation claimed as the one who invited).
    let (_, hello) =
        Joiner::start(&NET, &ID, &AuthorId([0x34; 32]), &SECRET, &request()).expect("start");
    let (_, m1) = split_hello(&hello);
    assert!(matches!(
        Door::accept(&NET, &ID, &INVITER, &SECRET, &m1),
        Err(DoorError::NotAuthentic)
    ));
    // What the joiner makes of the door's status bytes.
    let (mut joiner, _) = Joiner::start(&NET, &ID, &INVITER, &SECRET, &request()).expect("start");
    assert_eq!(
        joiner.finish(status::NOT_AUTHENTIC, &[]),
        Err(DoorError::NotAuthentic)
    );
    let (mut joiner, _) = Joiner::start(&NET, &ID, &INVITER, &SECRET, &request()).expect("start");
    assert_eq!(joiner.finish(status::UNKNOWN, &[]), Err(DoorError::Unknown));
}

#[test]
fn a_damaged_answer_or_request_is_an_error_not_a_panic() {
    let (mut joiner, hello) =
        Joiner::start(&NET, &ID, &INVITER, &SECRET, &request()).expect("start");
    let (id, m1) = split_hello(&hello);
    let (door, _) = Door::accept(&NET, &id, &INVITER, &SECRET, &m1).expect("accept");
    let (status, mut m2) = split_answer(&door.answer(&welcome()).expect("answer"));
    let last = m2.len() - 1;
    m2[last] ^= 1;
    assert!(matches!(
        joiner.finish(status, &m2),
        Err(DoorError::Protocol(_))
    ));
    // Cut, flipped or junk message 1: never a panic.
    for cut in [0, 1, 31, 32, m1.len() - 1] {
        assert!(Door::accept(&NET, &ID, &INVITER, &SECRET, &m1[..cut]).is_err());
    }
    assert!(Door::accept(&NET, &ID, &INVITER, &SECRET, &vec![0xff; MAX_HELLO + 1]).is_err());
    let (mut joiner, _) = Joiner::start(&NET, &ID, &INVITER, &SECRET, &request()).expect("start");
    assert!(joiner.finish(9, &[]).is_err());
    // A frame read before any welcome, or a damaged frame: an error.
    assert!(joiner.read_frame(&[0; 20]).is_err());
}

/// The vector of `docs/protocol.md` section 17.3: fixed ephemeral keys (the test-only way
/// into the Noise library), so the bytes on the wire are fixed.
#[test]
fn protocol_vector() {
    let p = prologue(&NET, &ID, &INVITER);
    let joiner_e = [0x11u8; 32];
    let door_e = [0x22u8; 32];
    let b = builder(&p, &SECRET)
        .expect("builder")
        .fixed_ephemeral_key_for_testing_only(&joiner_e);
    let (mut joiner, hello) = Joiner::start_with(b, &ID, &request()).expect("start");
    let (_, m1) = split_hello(&hello);
    let b = builder(&p, &SECRET)
        .expect("builder")
        .fixed_ephemeral_key_for_testing_only(&door_e);
    let (door, _) = Door::accept_with(b, &m1).expect("accept");
    let reply = door.answer(&welcome()).expect("answer");
    assert_eq!(receive(&mut joiner, &reply).expect("finish"), welcome());
    let hex = |b: &[u8]| data_encoding::HEXLOWER.encode(b);
    println!("hello: {}\nreply: {}", hex(&hello), hex(&reply));
    assert_eq!(hex(&hello), HELLO_HEX);
    assert_eq!(hex(&reply), REPLY_HEX);
}

const HELLO_HEX: &str = "0707070707070707070707070707070700d07b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f130e9b858fa497569def11d6ca861725b6bffbb0bda7ba389186f906413c1c6756562204d86a32d625b3daccc2d68e569c628e5058b9233f4b15b0a129d5a0681d3dd24ba963543f478f2f20ad29a118d9a25f67c5471bb24ecb181a382043005dcc2dbc3960d66fa8a1fa2c3fe1e2ea3c91a06ff054200043b2342c07045733d71b113e65605c6565e25720de1ecce226f74ebfc7d7d2bf02f6f62348978cd381ddb22d5789567d453ec1d771812523d8";
const REPLY_HEX: &str = "0000de0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20359984c78b5e43749b8449c317008dc97c9950c7a52a67e23207813ff0abf32f213c21d7f5a70ce425d553038fd27fef544eaf91cba65ab77a3ff2064e4bd21ebedc1e536673bf857ba69b826525bc505bc4b433c44ee307e67d1514b9952dedf955c0f63e89e0b0eb28129bd4dcc501e83ed7393bd8be66f210f72da4e78d0e95ca1b38240e4a38d1d0554f85b5fa35e9250e1d72402ff6a5baaaf6beced59da1dfbe6dbfbe536b6f40c6fbe48ab9dc18275ee6d5bf7c2b83ff87cd68ed007932d65f2a4caf27d5c58b809fa94e80ba3f9f49a8c3c3a3a364bbc8e2d95cc4b66c988893b8b732fb549f2d0ff5bcd3131fe4f9707a5e4a1cc595a46001c5d20908ac0faecb17869311d99e5a31f09709003e48ff61a3b87724b052828bad9017fd2b0e4801027cbec720f5c3a3f18320ab00cb219b90e382bb";

#[test]
fn forwarding_messages_round_trip_and_match_the_vectors() {
    use super::forward::{Message, Reply};
    let register = Message::Register(vec![InviteId([7; 16]), InviteId([8; 16])]);
    let knock = Message::Knock {
        id: InviteId([7; 16]),
        hello: vec![1, 2, 3],
    };
    let doors = Reply::Doors(vec!["/ip4/192.0.2.1/tcp/7656".into()]);
    let bytes = Reply::Bytes(vec![0, 0, 1, 9]);
    let hex = |b: &[u8]| crate::hex::encode(b);
    // The vectors of docs/protocol.md section 17.9.
    assert_eq!(
        hex(&register.encode()),
        "a16872656769737465728250070707070707070707070707070707075008080808080808080808080808080808"
    );
    assert_eq!(
        hex(&knock.encode()),
        "a262696450070707070707070707070707070707076568656c6c6f43010203"
    );
    assert_eq!(
        hex(&doors.encode()),
        "a165646f6f727381772f6970342f3139322e302e322e312f7463702f37363536"
    );
    assert_eq!(
        hex(&bytes.encode()),
        "a1657265706c79440000010 9".replace(' ', "")
    );
    for m in [register, knock, Message::Register(Vec::new())] {
        assert_eq!(Message::decode(&m.encode()), Ok(m));
    }
    for r in [doors, bytes, Reply::Bytes(Vec::new())] {
        assert_eq!(Reply::decode(&r.encode()), Ok(r));
    }
}

#[test]
fn forwarding_messages_out_of_bounds_are_refused() {
    use super::forward::{MAX_REGISTER, Message, Reply};
    use crate::fields::MapBuilder;
    let too_many = Message::Register(vec![InviteId([1; 16]); MAX_REGISTER + 1]);
    assert!(Message::decode(&too_many.encode()).is_err());
    let long_hello = Message::Knock {
        id: InviteId([1; 16]),
        hello: vec![0; MAX_HELLO + 1],
    };
    assert!(Message::decode(&long_hello.encode()).is_err());
    let short_id = cbor::encode(
        &MapBuilder::default()
            .put("register", Value::Array(vec![Value::Bytes(vec![1; 15])]))
            .build(),
    );
    assert!(Message::decode(&short_id).is_err());
    // Both shapes at once, or an unknown key: refused.
    let both = cbor::encode(
        &MapBuilder::default()
            .put("hello", vec![1u8])
            .put("id", vec![1u8; 16])
            .put("register", Value::Array(Vec::new()))
            .build(),
    );
    assert!(Message::decode(&both).is_err());
    let long_door = Reply::Doors(vec!["x".repeat(257)]);
    assert!(Reply::decode(&long_door.encode()).is_err());
    assert!(Reply::decode(b"\xff").is_err());
    assert!(Message::decode(&[]).is_err());
}
