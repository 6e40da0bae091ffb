//! Long text flags: `@PATH` reads a file, `@-` standard input, and a leading `@@` stands for a
//! literal `@` (`--description "@@UNHumanRights please share"`). Reads are bounded: nothing
//! larger than a record could hold is read into memory.

use std::io::Read;
use std::path::Path;

use wsf_protocol::limits::MAX_TEXT;

/// Most bytes read from a file or standard input for one field: twice the largest text field,
/// since Windows line ends (`\r\n`) shrink to one byte each. Anything longer cannot fit.
pub const MAX_READ: usize = 2 * MAX_TEXT;

/// Errors reading a text flag.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        source: std::io::Error,
    },
    #[error(
        "{what} is larger than a text field may hold ({} KiB); shorten it or publish a link",
        MAX_TEXT / 1024
    )]
    TooLarge { what: String },
    #[error("{what} is not UTF-8 text")]
    NotText { what: String },
}

/// The value of a long text flag: the text itself, or what `@PATH` / `@-` names.
pub fn long_text(value: Option<String>) -> Result<Option<String>, Error> {
    let Some(v) = value else { return Ok(None) };
    let text = if let Some(literal) = v.strip_prefix("@@") {
        format!("@{literal}")
    } else {
        match v.strip_prefix('@') {
            Some("-") => read_bounded(std::io::stdin().lock(), "standard input")?,
            Some(path) => read_file(Path::new(path))?,
            None => v,
        }
    };
    Ok(Some(normalise(&text)))
}

/// A whole text file, bounded by [`MAX_READ`].
pub fn read_file(path: &Path) -> Result<String, Error> {
    let what = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        what: what.clone(),
        source,
    })?;
    read_bounded(file, &what)
}

fn read_bounded(input: impl Read, what: &str) -> Result<String, Error> {
    let mut bytes = Vec::new();
    input
        .take(MAX_READ as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            what: what.to_owned(),
            source,
        })?;
    if bytes.len() > MAX_READ {
        return Err(Error::TooLarge {
            what: what.to_owned(),
        });
    }
    String::from_utf8(bytes).map_err(|_| Error::NotText {
        what: what.to_owned(),
    })
}

/// Windows and old Mac line ends become `\n`; trailing blank space is dropped.
pub fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_at_is_a_literal_at() {
        assert_eq!(
            long_text(Some("@@UNHumanRights please share".into())).ok(),
            Some(Some("@UNHumanRights please share".into()))
        );
        assert_eq!(
            long_text(Some("plain\r\ntext\n\n".into())).ok(),
            Some(Some("plain\ntext".into()))
        );
    }

    #[test]
    fn reads_stop_at_the_bound() {
        let endless = std::io::repeat(b'a');
        assert!(matches!(
            read_bounded(endless, "test"),
            Err(Error::TooLarge { .. })
        ));
        let fits = vec![b'a'; MAX_READ];
        assert_eq!(
            read_bounded(&fits[..], "test").map(|s| s.len()).ok(),
            Some(MAX_READ)
        );
    }
}
