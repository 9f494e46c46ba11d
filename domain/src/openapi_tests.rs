//! The OpenAPI schemas say what serde writes and reads: string types are strings with exactly the
//! names serde writes, views require every field serde always writes, inputs only what serde needs,
//! and every schema a type refers to is there under one name.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::{
    alert::{self, AlertDetail, AlertPage, CreatedIntegrationKey, IntegrationKeyView, RejectedEventView},
    audit::AuditPage,
    escalation::{ManualPage, PolicyId, PolicyInput, PolicyView, Target},
    incident::{self, IncidentNumber, IncidentPage, IncidentStatus, IncidentView, Severity},
    notification::{self, ContactMethodView, DeliveryView, PageView, RuleView},
    schedule::{self, OnCallAt, OnCallEntry, ScheduleId, ScheduleSummary, ScheduleView, ShiftsOut},
    service::ServiceDetail,
    team::{self, TeamId, TeamView},
};

fn schema_of<T: PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).expect("a schema serialises")
}

fn written<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serialises")
}

fn keys(object: &Value) -> BTreeSet<String> {
    object.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The names of string schema `S`, checked to be exactly what serde writes for `all`.
fn names_of<S: PartialSchema, T: Serialize>(all: &[T]) -> Vec<String> {
    let schema = schema_of::<S>();
    assert_eq!(schema["type"], "string", "{schema}");
    let all: Vec<Value> = all.iter().map(written).collect();
    assert_eq!(schema["enum"], Value::Array(all.clone()), "{schema}");
    all.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

fn own_names<T: PartialSchema + Serialize>(all: &[T]) -> Vec<String> {
    names_of::<T, T>(all)
}

#[test]
fn closed_sets_are_strings_with_the_names_serde_writes() {
    assert_eq!(own_names(&Severity::ALL), ["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]);
    assert_eq!(
        own_names(&IncidentStatus::ALL),
        ["triggered", "acknowledged", "mitigated", "resolved", "no_responder"]
    );
    assert_eq!(own_names(alert::IntegrationKind::ALL), ["events_v2", "alertmanager", "generic"]);
    own_names(alert::AlertSeverity::ALL);
    own_names(alert::AlertStatus::ALL);
    own_names(alert::EventAction::ALL);
    own_names(&alert::Urgency::ALL);
    own_names(&incident::IncidentRole::ALL);
    own_names(&incident::Pin::ALL);
    own_names(&crate::Role::ALL);
    own_names(&team::TeamRole::ALL);
    own_names(&notification::ContactKind::ALL);
    own_names(&notification::NotificationKind::ALL);
    own_names(&schedule::Tier::ALL);
    use chrono::Weekday::*;
    names_of::<crate::openapi::Weekday, _>(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun]);
    // Derived from the serde attributes rather than written by hand.
    own_names(&[alert::Grouping::Service, alert::Grouping::Alert]);
    use schedule::{FairnessRule, RotationUnit};
    own_names(&[RotationUnit::Hours, RotationUnit::Days, RotationUnit::Weeks]);
    assert_eq!(
        own_names(&[FairnessRule::MaxDaysIn30, FairnessRule::ConsecutiveNights, FairnessRule::MinRest]),
        ["max_days_in_30", "consecutive_nights", "min_rest"]
    );
}

#[test]
fn string_newtypes_are_strings_with_the_rule_of_their_parser() {
    let number = schema_of::<IncidentNumber>();
    assert_eq!(number["type"], "string");
    assert_eq!(number["pattern"], r"^([Ii][Nn][Cc]-)?\+?0*[1-9][0-9]*$");
    assert_eq!(number["examples"], json!([written(&IncidentNumber(42))]));
    // What the pattern admits, the parser reads; what it refuses, the parser refuses.
    for read in ["INC-42", "inc-42", "Inc-042", "42", "+42", "INC-+42"] {
        assert_eq!(read.parse::<IncidentNumber>(), Ok(IncidentNumber(42)), "{read}");
    }
    for refused in ["INC-0", "0", "-42", "INC-", "INC42", "#42", "+INC-42", "INC-4.2"] {
        assert!(refused.parse::<IncidentNumber>().is_err(), "{refused}");
    }

    let uuid = json!({"type": "string", "format": "uuid"});
    for id in [schema_of::<crate::UserId>(), schema_of::<TeamId>(), schema_of::<schedule::LayerId>()] {
        assert_eq!(id, uuid);
    }
    assert_eq!(written(&TeamId(Uuid::nil())), json!(Uuid::nil().to_string()));

    let slug = schema_of::<team::Slug>();
    assert_eq!(
        (&slug["type"], &slug["minLength"], &slug["maxLength"]),
        (&json!("string"), &json!(1), &json!(50))
    );
    assert_eq!(slug["pattern"], "^[a-z0-9]+(-[a-z0-9]+)*$");
    assert_eq!(schema_of::<crate::Email>()["type"], "string");
}

#[test]
fn an_incident_view_requires_every_field_serde_writes() {
    let t = chrono::DateTime::UNIX_EPOCH;
    let view = IncidentView {
        number: IncidentNumber(7),
        title: "Checkout returns 500s".into(),
        description: String::new(),
        severity: Severity::Sev2,
        status: IncidentStatus::Triggered,
        services: vec![],
        customer_impact: false,
        declared_by: None,
        created_at: t,
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        impact_started_at: None,
        impact_ended_at: None,
        roles: vec![],
        root_cause_tags: vec![],
        links: vec![],
        related: vec![],
        updated_at: t,
    };
    let json = written(&view);
    assert_eq!(json["resolved_at"], Value::Null);
    let schema = schema_of::<IncidentView>();
    assert_eq!(keys(&schema["properties"]), keys(&json), "{schema}");
    assert_eq!(required(&schema), keys(&json), "{schema}");
    let property = |name: &str| &schema["properties"][name];
    assert_eq!(property("severity")["$ref"], "#/components/schemas/Severity");
    assert_eq!(property("number")["$ref"], "#/components/schemas/IncidentNumber");
    assert_eq!(property("status")["$ref"], "#/components/schemas/IncidentStatus");
    assert_eq!(property("resolved_at")["type"], json!(["string", "null"]));
    assert_eq!(property("resolved_at")["format"], "date-time");
}

#[test]
fn inputs_require_only_what_serde_cannot_do_without() {
    let new = schema_of::<incident::NewIncidentInput>();
    assert_eq!(required(&new), ["title", "severity"].map(String::from).into());
    assert_eq!(required(&schema_of::<incident::IncidentPatchInput>()), BTreeSet::new());
    let layer = schema_of::<schedule::LayerInput>();
    assert!(!required(&layer).contains("tier"));
    assert_eq!(layer["properties"]["tier"]["default"], "primary");
    let ingestion = schema_of::<alert::IngestionSettings>();
    assert_eq!(required(&ingestion), BTreeSet::new());
    assert_eq!(ingestion["additionalProperties"], false);
}

#[test]
fn tagged_enums_name_each_kind_and_field_as_serde_writes_them() {
    fn variants_match<T: PartialSchema + Serialize>(values: &[T]) {
        let schema = schema_of::<T>();
        let variants = schema["oneOf"].as_array().expect("one schema per variant");
        assert_eq!(variants.len(), values.len());
        for (variant, value) in variants.iter().zip(values) {
            let json = written(value);
            assert_eq!(variant["properties"]["kind"]["enum"], json!([json["kind"]]), "{variant}");
            assert_eq!(keys(&variant["properties"]), keys(&json), "{variant}");
            assert_eq!(required(variant), keys(&json), "{variant}");
        }
    }
    let nil = Uuid::nil();
    variants_match(&[
        Target::User { id: nil },
        Target::Schedule { id: ScheduleId(nil) },
        Target::Layer { schedule_id: ScheduleId(nil), layer_id: nil },
        Target::TeamLeads { id: TeamId(nil) },
    ]);
    variants_match(&[
        ManualPage::User { id: nil },
        ManualPage::Team { id: TeamId(nil) },
        ManualPage::Policy { id: PolicyId(nil) },
    ]);
}

/// The named schemas `T` needs, as the document's components would hold them.
fn components_of<T: ToSchema>(into: &mut BTreeMap<String, Value>) {
    let mut schemas = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut schemas);
    for (name, schema) in schemas {
        let schema = serde_json::to_value(schema).expect("a schema serialises");
        if let Some(other) = into.insert(name.clone(), schema.clone()) {
            assert_eq!(other, schema, "two different schemas are named {name}");
        }
    }
}

#[test]
fn every_schema_the_api_refers_to_is_there_under_one_name() {
    let mut all = BTreeMap::new();
    components_of::<IncidentView>(&mut all);
    components_of::<IncidentPage>(&mut all);
    components_of::<incident::NewIncidentInput>(&mut all);
    components_of::<incident::IncidentFilterInput>(&mut all);
    components_of::<incident::IncidentPatchInput>(&mut all);
    components_of::<incident::HandoverView>(&mut all);
    components_of::<incident::TimelineEntryView>(&mut all);
    components_of::<AlertPage>(&mut all);
    components_of::<AlertDetail>(&mut all);
    components_of::<alert::AlertFilterInput>(&mut all);
    components_of::<RejectedEventView>(&mut all);
    components_of::<IntegrationKeyView>(&mut all);
    components_of::<CreatedIntegrationKey>(&mut all);
    components_of::<ScheduleView>(&mut all);
    components_of::<ScheduleSummary>(&mut all);
    components_of::<schedule::ScheduleInput>(&mut all);
    components_of::<schedule::OverrideInput>(&mut all);
    components_of::<OnCallEntry>(&mut all);
    components_of::<OnCallAt>(&mut all);
    components_of::<ShiftsOut>(&mut all);
    components_of::<PolicyView>(&mut all);
    components_of::<PolicyInput>(&mut all);
    components_of::<ManualPage>(&mut all);
    components_of::<crate::UserView>(&mut all);
    components_of::<crate::Me>(&mut all);
    components_of::<crate::NewUserInput>(&mut all);
    components_of::<crate::CreatedApiToken>(&mut all);
    components_of::<TeamView>(&mut all);
    components_of::<team::NewTeamInput>(&mut all);
    components_of::<team::NewServiceInput>(&mut all);
    components_of::<ServiceDetail>(&mut all);
    components_of::<ContactMethodView>(&mut all);
    components_of::<RuleView>(&mut all);
    components_of::<DeliveryView>(&mut all);
    components_of::<PageView>(&mut all);
    components_of::<AuditPage>(&mut all);
    let text = serde_json::to_string(&all).expect("serialises");
    let prefix = "#/components/schemas/";
    for (at, _) in text.match_indices(prefix) {
        let name: String = text[at + prefix.len()..].chars().take_while(|c| *c != '"').collect();
        assert!(all.contains_key(&name), "{name} is referred to but not there");
    }
}
