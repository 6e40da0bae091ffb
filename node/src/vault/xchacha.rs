//! XChaCha20-Poly1305 for the store's pages, from HChaCha20 and ring's ChaCha20-Poly1305.
//!
//! The construction is the standard one (draft-irtf-cfrg-xchacha): the 24-byte nonce's first
//! 16 bytes and the key give a subkey through HChaCha20; the page is then sealed with
//! ChaCha20-Poly1305 (RFC 8439) under the subkey, with the nonce `0⁴ ‖ nonce[16..24]`. The
//! output is byte for byte that of the `chacha20poly1305` crate's `XChaCha20Poly1305` (a test
//! checks both ways); ring's assembly only makes it faster, which counts here because every
//! page the store writes is sealed on the store's one writer thread.
//!
//! The key is wiped when the cipher is dropped, and each page's subkey right after use; ring
//! keeps its copy of a subkey on the stack for the length of one call.

use chacha20::cipher::consts::U10;
use chacha20::cipher::generic_array::GenericArray;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, Tag, UnboundKey};
use zeroize::{Zeroize, Zeroizing};

/// Nonce length.
pub const NONCE_LEN: usize = 24;
/// Tag length.
pub const TAG_LEN: usize = 16;

/// The page cipher under one key.
pub struct PageCipher {
    key: Zeroizing<[u8; 32]>,
}

/// Its only field wipes itself when dropped.
impl zeroize::ZeroizeOnDrop for PageCipher {}

impl PageCipher {
    pub fn new(key: &[u8; 32]) -> PageCipher {
        PageCipher {
            key: Zeroizing::new(*key),
        }
    }

    /// ring's key for the subkey of `nonce`, and the inner nonce.
    fn inner(&self, nonce: &[u8; NONCE_LEN]) -> Option<(LessSafeKey, Nonce)> {
        let mut sub = chacha20::hchacha::<U10>(
            GenericArray::from_slice(&self.key[..]),
            GenericArray::from_slice(&nonce[..16]),
        );
        let key = UnboundKey::new(&CHACHA20_POLY1305, &sub).ok();
        sub.as_mut_slice().zeroize();
        let mut inner = [0u8; 12];
        inner[4..].copy_from_slice(&nonce[16..]);
        Some((LessSafeKey::new(key?), Nonce::assume_unique_for_key(inner)))
    }

    /// Encrypts `buf` in place; returns the tag. `None` only if ring refuses the key, which
    /// does not happen for a 32-byte key.
    pub fn seal(
        &self,
        nonce: &[u8; NONCE_LEN],
        ad: &[u8],
        buf: &mut [u8],
    ) -> Option<[u8; TAG_LEN]> {
        let (key, nonce) = self.inner(nonce)?;
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(ad), buf)
            .ok()?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Some(out)
    }

    /// Decrypts `buf` in place if `tag` authenticates it with `ad`; false (and `buf` zeroed)
    /// otherwise.
    pub fn open(
        &self,
        nonce: &[u8; NONCE_LEN],
        ad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        let opened = self.inner(nonce).is_some_and(|(key, nonce)| {
            key.open_in_place_separate_tag(nonce, Aad::from(ad), Tag::from(*tag), buf, 0..)
                .is_ok()
        });
        if !opened {
            buf.zeroize();
        }
        opened
    }
}

#[cfg(test)]
mod tests {
    use chacha20poly1305::aead::{AeadInPlace, KeyInit};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};

    use super::*;

    /// The same bytes as the `chacha20poly1305` crate's XChaCha20-Poly1305, both ways, for
    /// several lengths (stores written before this construction open with it, and back).
    #[test]
    fn it_is_xchacha20_poly1305_both_ways() {
        let key = [0x42u8; 32];
        let ours = PageCipher::new(&key);
        let theirs = XChaCha20Poly1305::new((&key).into());
        for (i, len) in [0usize, 1, 63, 64, 4096].into_iter().enumerate() {
            let nonce: [u8; NONCE_LEN] = std::array::from_fn(|j| (i * 31 + j * 7) as u8);
            let ad = [i as u8; 25];
            let plain: Vec<u8> = (0..len).map(|j| (j % 251) as u8).collect();

            let mut a = plain.clone();
            let tag = ours.seal(&nonce, &ad, &mut a).expect("seal");
            let mut b = plain.clone();
            let their_tag = theirs
                .encrypt_in_place_detached(XNonce::from_slice(&nonce), &ad, &mut b)
                .expect("seal");
            assert_eq!(a, b, "ciphertext, length {len}");
            assert_eq!(&tag[..], their_tag.as_slice(), "tag, length {len}");

            assert!(ours.open(&nonce, &ad, &mut b, &tag));
            assert_eq!(b, plain);
            let mut c = a.clone();
            theirs
                .decrypt_in_place_detached(XNonce::from_slice(&nonce), &ad, &mut c, (&tag).into())
                .expect("theirs opens ours");
            assert_eq!(c, plain);

            // Another associated data, a flipped tag or ciphertext bit: refused, zeroed.
            let mut d = a.clone();
            assert!(!ours.open(&nonce, &[9; 25], &mut d, &tag));
            assert!(d.iter().all(|&x| x == 0));
            let mut bad = tag;
            bad[0] ^= 1;
            let mut e = a.clone();
            assert!(!ours.open(&nonce, &ad, &mut e, &bad));
            if len > 0 {
                let mut f = a.clone();
                f[len - 1] ^= 0x80;
                assert!(!ours.open(&nonce, &ad, &mut f, &tag));
            }
        }
    }
}
