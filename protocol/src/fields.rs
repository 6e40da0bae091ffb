//! Reading a decoded CBOR map field by field, with errors that name the field.

use ciborium::Value;

/// A body that is canonical CBOR but does not have the shape of a wsf record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("missing field `{0}`")]
    MissingField(String),
    #[error("field `{field}` must be {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
    #[error("unknown field `{0}`")]
    UnknownField(String),
    #[error("field `{field}` has an unknown value {value:?}")]
    UnknownValue { field: String, value: String },
    #[error("unknown record kind {0:?}")]
    UnknownKind(String),
}

impl SchemaError {
    /// A stable snake_case name for the class of error.
    pub fn code(&self) -> &'static str {
        match self {
            SchemaError::MissingField(_) => "missing_field",
            SchemaError::WrongType { .. } => "wrong_type",
            SchemaError::UnknownField(_) => "unknown_field",
            SchemaError::UnknownValue { .. } => "unknown_value",
            SchemaError::UnknownKind(_) => "unknown_kind",
        }
    }
}

/// The entries of one map, taken out one by one; whatever is left at the end is unknown.
pub(crate) struct Fields {
    prefix: &'static str,
    entries: Vec<(String, Value)>,
}

impl Fields {
    /// `prefix` is prepended to field names in errors (`""` or `"content."`).
    pub(crate) fn new(value: Value, prefix: &'static str, what: &str) -> Result<Self, SchemaError> {
        let Value::Map(map) = value else {
            return Err(SchemaError::WrongType {
                field: what.to_owned(),
                expected: "a map",
            });
        };
        let mut entries = Vec::with_capacity(map.len());
        for (k, v) in map {
            match k {
                Value::Text(k) => entries.push((k, v)),
                _ => {
                    return Err(SchemaError::WrongType {
                        field: format!("{what} key"),
                        expected: "a text string",
                    });
                }
            }
        }
        Ok(Fields { prefix, entries })
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn wrong(&self, key: &str, expected: &'static str) -> SchemaError {
        SchemaError::WrongType {
            field: self.name(key),
            expected,
        }
    }

    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.swap_remove(i).1)
    }

    pub(crate) fn require(&mut self, key: &str) -> Result<Value, SchemaError> {
        self.take(key)
            .ok_or_else(|| SchemaError::MissingField(self.name(key)))
    }

    pub(crate) fn opt_text(&mut self, key: &str) -> Result<Option<String>, SchemaError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Text(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong(key, "a text string")),
        }
    }

    pub(crate) fn text(&mut self, key: &str) -> Result<String, SchemaError> {
        match self.require(key)? {
            Value::Text(s) => Ok(s),
            _ => Err(self.wrong(key, "a text string")),
        }
    }

    pub(crate) fn opt_uint(&mut self, key: &str) -> Result<Option<u64>, SchemaError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => self.as_uint(key, v).map(Some),
        }
    }

    pub(crate) fn uint(&mut self, key: &str) -> Result<u64, SchemaError> {
        let v = self.require(key)?;
        self.as_uint(key, v)
    }

    fn as_uint(&self, key: &str, v: Value) -> Result<u64, SchemaError> {
        match v {
            Value::Integer(i) => {
                u64::try_from(i).map_err(|_| self.wrong(key, "an unsigned integer"))
            }
            _ => Err(self.wrong(key, "an unsigned integer")),
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Result<bool, SchemaError> {
        match self.require(key)? {
            Value::Bool(b) => Ok(b),
            _ => Err(self.wrong(key, "true or false")),
        }
    }

    pub(crate) fn bytes<const N: usize>(&mut self, key: &str) -> Result<[u8; N], SchemaError> {
        let v = self.require(key)?;
        self.as_bytes(key, v)
    }

    pub(crate) fn opt_bytes<const N: usize>(
        &mut self,
        key: &str,
    ) -> Result<Option<[u8; N]>, SchemaError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => self.as_bytes(key, v).map(Some),
        }
    }

    fn as_bytes<const N: usize>(&self, key: &str, v: Value) -> Result<[u8; N], SchemaError> {
        let expected = match N {
            16 => "a byte string of 16 bytes",
            32 => "a byte string of 32 bytes",
            _ => "a byte string of the right length",
        };
        match v {
            Value::Bytes(b) => b.try_into().map_err(|_| self.wrong(key, expected)),
            _ => Err(self.wrong(key, expected)),
        }
    }

    pub(crate) fn opt_array(&mut self, key: &str) -> Result<Option<Vec<Value>>, SchemaError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(self.wrong(key, "an array")),
        }
    }

    pub(crate) fn array(&mut self, key: &str) -> Result<Vec<Value>, SchemaError> {
        match self.require(key)? {
            Value::Array(a) => Ok(a),
            _ => Err(self.wrong(key, "an array")),
        }
    }

    /// Items of an array that must all be text strings.
    pub(crate) fn texts(&self, key: &str, items: Vec<Value>) -> Result<Vec<String>, SchemaError> {
        items
            .into_iter()
            .map(|v| match v {
                Value::Text(s) => Ok(s),
                _ => Err(self.wrong(key, "an array of text strings")),
            })
            .collect()
    }

    /// Items of an array that must all be byte strings of `N` bytes.
    pub(crate) fn byte_items<const N: usize>(
        &self,
        key: &str,
        items: Vec<Value>,
    ) -> Result<Vec<[u8; N]>, SchemaError> {
        items
            .into_iter()
            .map(|v| match v {
                Value::Bytes(b) => b
                    .try_into()
                    .map_err(|_| self.wrong(key, "an array of 32-byte byte strings")),
                _ => Err(self.wrong(key, "an array of 32-byte byte strings")),
            })
            .collect()
    }

    /// Fails on the first field nobody took.
    pub(crate) fn finish(self) -> Result<(), SchemaError> {
        match self.entries.into_iter().next() {
            None => Ok(()),
            Some((k, _)) => Err(SchemaError::UnknownField(format!("{}{k}", self.prefix))),
        }
    }
}

/// Builds a map value from (key, value) pairs, leaving out `None`s.
#[derive(Default)]
pub(crate) struct MapBuilder(Vec<(Value, Value)>);

impl MapBuilder {
    pub(crate) fn put(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.push((Value::Text(key.to_owned()), value.into()));
        self
    }

    pub(crate) fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }

    pub(crate) fn build(self) -> Value {
        Value::Map(self.0)
    }
}
