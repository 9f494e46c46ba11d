//! Building blocks of the OpenAPI schemas written by hand (`string_schema!`): the types that serde
//! writes as one string, whose derived schema would describe their Rust fields instead.

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        ObjectBuilder, RefOr,
        schema::{KnownFormat, Schema, SchemaFormat, Type},
    },
};

/// A string, described; the caller adds the rule it can state exactly (`pattern`, lengths).
pub(crate) fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description))
}

/// A string that is one of `names`, which must be exactly what serde writes for each value.
pub(crate) fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names))
}

/// A UUID as serde writes it: the hyphenated lower-case form.
pub(crate) fn uuid() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
}

/// `chrono::Weekday`, which utoipa does not know; chrono writes it as its three-letter English
/// abbreviation. For fields only: `#[schema(value_type = crate::openapi::Weekday)]`.
pub(crate) struct Weekday;

impl PartialSchema for Weekday {
    fn schema() -> RefOr<Schema> {
        names(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
            .description(Some("A day of the week, as its three-letter English abbreviation."))
            .into()
    }
}

impl ToSchema for Weekday {}
