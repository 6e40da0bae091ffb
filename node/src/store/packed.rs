//! How an envelope is kept in the `envelopes-2` table: one tag byte, then the envelope as it is
//! (tag 0) or compressed as one zstd frame (tag 1), whichever is shorter. Records are mostly
//! text, so most envelopes shrink; their signature and keys do not, and a short record may not,
//! so the raw form stays possible. Compressed values are read back bounded by the largest
//! envelope, so a damaged store cannot make a reader allocate without limit.

use std::borrow::Cow;

use super::Error;

/// The envelope follows unchanged.
pub const RAW: u8 = 0;
/// A zstd frame of the envelope follows.
pub const ZSTD: u8 = 1;
/// zstd's level: 3 is its default, and the ratio barely improves above it for ~1 KB values.
const LEVEL: i32 = 3;

thread_local! {
    // zstd's contexts are costly to make (tables sized for the level): one per thread, reused.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        std::cell::RefCell::new(zstd::bulk::Compressor::new(LEVEL).ok());
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        std::cell::RefCell::new(zstd::bulk::Decompressor::new().ok());
}

fn compress(envelope: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|c| {
        c.borrow_mut()
            .as_mut()
            .and_then(|c| c.compress(envelope).ok())
    })
}

fn decompress(frame: &[u8]) -> Result<Vec<u8>, String> {
    DECOMPRESSOR.with(|d| match d.borrow_mut().as_mut() {
        Some(d) => d
            .decompress(frame, wsf_protocol::limits::MAX_ENVELOPE)
            .map_err(|e| e.to_string()),
        None => zstd::bulk::decompress(frame, wsf_protocol::limits::MAX_ENVELOPE)
            .map_err(|e| e.to_string()),
    })
}

/// The stored form of `envelope`.
pub fn pack(envelope: &[u8]) -> Vec<u8> {
    if let Some(frame) = compress(envelope)
        && frame.len() < envelope.len()
    {
        let mut out = Vec::with_capacity(1 + frame.len());
        out.push(ZSTD);
        out.extend_from_slice(&frame);
        return out;
    }
    let mut out = Vec::with_capacity(1 + envelope.len());
    out.push(RAW);
    out.extend_from_slice(envelope);
    out
}

/// The envelope of a stored value.
pub fn unpack(value: &[u8]) -> Result<Cow<'_, [u8]>, Error> {
    match value.split_first() {
        Some((&RAW, envelope)) => Ok(Cow::Borrowed(envelope)),
        Some((&ZSTD, frame)) => decompress(frame)
            .map(Cow::Owned)
            .map_err(|e| Error::Db(format!("a stored envelope does not decompress: {e}"))),
        Some((tag, _)) => Err(Error::Db(format!(
            "a stored envelope has the unknown form {tag}"
        ))),
        None => Err(Error::Db("a stored envelope is empty".into())),
    }
}

/// Moves every envelope of `envelopes-2` back to the unpacked `envelopes-1` of schemas 1–3:
/// what the migration tests start from.
#[cfg(test)]
pub(crate) fn downgrade(txn: &redb::WriteTransaction) {
    use redb::ReadableTable;
    {
        let new = txn.open_table(super::tables::ENVELOPES).expect("open");
        let mut old = txn.open_table(super::tables::ENVELOPES_V1).expect("open");
        for entry in new.iter().expect("iter") {
            let (k, v) = entry.expect("entry");
            let envelope = unpack(v.value()).expect("unpack");
            old.insert(k.value(), envelope.as_ref()).expect("insert");
        }
    }
    txn.delete_table(super::tables::ENVELOPES).expect("drop");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_come_back_as_they_went_in() {
        let text =
            "Guide pratique pour les droits des femmes — دليل عملي لحقوق المرأة. ".repeat(12);
        let short: Vec<u8> = (0u8..20).collect();
        for envelope in [text.as_bytes(), &short[..], &[][..]] {
            let packed = pack(envelope);
            assert_eq!(unpack(&packed).expect("unpack").as_ref(), envelope);
        }
        assert_eq!(pack(text.as_bytes())[0], ZSTD);
        assert!(pack(text.as_bytes()).len() < text.len() / 2);
        assert_eq!(pack(&short)[0], RAW);
    }

    #[test]
    fn damaged_values_are_errors() {
        assert!(unpack(&[]).is_err());
        assert!(unpack(&[9, 1, 2]).is_err());
        assert!(unpack(&[ZSTD, 1, 2, 3]).is_err());
        // A frame that claims more than the largest envelope is refused, not allocated.
        let big = vec![0u8; wsf_protocol::limits::MAX_ENVELOPE + 1];
        let mut value = vec![ZSTD];
        value.extend(zstd::bulk::compress(&big, 3).expect("compress"));
        assert!(unpack(&value).is_err());
    }
}
