//! The bad-input corpus: every invalid vector, every truncation of several valid envelopes and
//! every single-bit flip of one envelope is rejected, with the right error, without a panic.
//! Plus a fuzz target over `verify` that runs under `cargo test` on stable (bolero).

mod common;

use common::*;
use wsf_protocol::*;

fn valid_envelopes() -> Vec<Vec<u8>> {
    let resource = sign(&draft(resource(), &["womens-rights"]), &key(1)).expect("sign");
    let target = resource.id();
    vec![
        resource.envelope().to_vec(),
        sign(&draft(practice(), &["education"]), &key(2))
            .expect("sign")
            .envelope()
            .to_vec(),
        sign(
            &draft(campaign(), &["education", "poverty-hunger"]),
            &key(3),
        )
        .expect("sign")
        .envelope()
        .to_vec(),
        sign(&draft(endorsement(target), &["womens-rights"]), &key(4))
            .expect("sign")
            .envelope()
            .to_vec(),
        sign(&draft(profile(), &["education"]), &key(5))
            .expect("sign")
            .envelope()
            .to_vec(),
    ]
}

#[test]
fn every_truncation_is_reported_as_truncated() {
    for env in valid_envelopes() {
        for cut in 0..env.len() {
            let err = verify(&env[..cut]).expect_err("a truncated envelope is refused");
            assert_eq!(err.reason(), "malformed.truncated", "cut at {cut}: {err}");
        }
    }
}

#[test]
fn every_single_bit_flip_is_rejected() {
    for env in valid_envelopes().iter().take(2) {
        let sig_start = env.len() - 64;
        for byte in 0..env.len() {
            for bit in 0..8 {
                let mut bad = env.clone();
                bad[byte] ^= 1 << bit;
                let err = verify(&bad).expect_err("a flipped envelope is refused");
                if byte >= sig_start {
                    assert_eq!(err, Error::SignatureInvalid, "byte {byte} bit {bit}");
                }
            }
        }
    }
}

#[test]
fn garbage_of_every_length_is_rejected() {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for len in 0..2_000 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        assert!(verify(&bytes).is_err());
    }
}

#[test]
fn length_headers_cannot_make_the_decoder_allocate() {
    // An envelope claiming a 2^63-byte body, and one claiming 2^63 items.
    let mut huge_string = vec![0x83, 0x01, 0x5b];
    huge_string.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(
        verify(&huge_string).expect_err("huge").reason(),
        "malformed.truncated"
    );
    let mut huge_array = vec![0x9b];
    huge_array.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(
        verify(&huge_array).expect_err("huge").reason(),
        "malformed.truncated"
    );
}

#[test]
fn fuzz_verify_never_panics() {
    bolero::check!()
        .with_iterations(20_000)
        .for_each(|bytes: &[u8]| {
            let _ = verify(bytes);
        });
}

#[test]
fn fuzz_mutated_envelopes_never_verify() {
    let envs = valid_envelopes();
    bolero::check!()
        .with_iterations(5_000)
        .with_type::<(u8, u16, u8, Vec<u8>)>()
        .for_each(|(which, at, xor, insert)| {
            let mut env = envs[usize::from(*which) % envs.len()].clone();
            let at = usize::from(*at) % env.len();
            if *xor != 0 {
                env[at] ^= xor;
            }
            if !insert.is_empty() {
                let tail = env.split_off(at);
                env.extend_from_slice(insert);
                env.extend_from_slice(&tail);
            }
            let changed = *xor != 0 || !insert.is_empty();
            if changed {
                assert!(verify(&env).is_err(), "a changed envelope must not verify");
            }
        });
}
