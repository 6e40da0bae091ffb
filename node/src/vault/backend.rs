//! Encrypting redb backend.
#[derive(Debug)]
pub struct EncryptedBackend;
