//! Demo data for a newcomer's first look: an admin and responders in three time zones, teams and
//! services. Loads only into an empty database, so it can never mix with real data.

use domain::{Email, NewUser, Password, PersonName, Role, TimeZoneName};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Error, Result,
    auth::{password, random_token},
    db::{
        audit::{self, Actor, Entry},
        teams, users,
    },
};

#[derive(Debug, Clone)]
pub struct DemoCredentials {
    pub admin_email: String,
    /// Every demo user has this password.
    pub password: String,
    pub users: Vec<(String, Role)>,
}

const PEOPLE: &[(&str, &str, Role, &str)] = &[
    ("Alex Morgan", "alex@example.com", Role::Admin, "Europe/London"),
    ("Priya Shah", "priya@example.com", Role::Responder, "Europe/London"),
    ("Sam Carter", "sam@example.com", Role::Responder, "America/New_York"),
    ("Jordan Lee", "jordan@example.com", Role::Responder, "America/New_York"),
    ("Mia Chen", "mia@example.com", Role::Responder, "Australia/Sydney"),
    ("Noah Wilson", "noah@example.com", Role::Viewer, "Australia/Sydney"),
];

/// A member of a demo team: email, and whether they lead it.
type DemoMember = (&'static str, bool);

/// (team name, slug, members)
const TEAMS: &[(&str, &str, &[DemoMember])] = &[
    (
        "Platform",
        "platform",
        &[("priya@example.com", true), ("sam@example.com", false), ("mia@example.com", false)],
    ),
    (
        "Payments",
        "payments",
        &[("jordan@example.com", true), ("mia@example.com", false), ("sam@example.com", false)],
    ),
];

/// (service name, slug, owning team slug, description)
const SERVICES: &[(&str, &str, &str, &str)] = &[
    ("Core API", "core-api", "platform", "The public REST API every client talks to."),
    ("Web Dashboard", "web-dashboard", "platform", "The customer-facing web application."),
    ("Billing", "billing", "payments", "Invoices, subscriptions and card payments."),
];

pub async fn load_demo(
    pool: &PgPool,
    admin_email: Option<&Email>,
    given_password: Option<&Password>,
) -> Result<DemoCredentials> {
    let plain = given_password.map(|p| p.expose().to_owned()).unwrap_or_else(|| random_token(16));
    let hash = password::hash(plain.clone()).await?;
    let mut tx = pool.begin().await?;
    super::bootstrap::lock_users(&mut tx).await?;
    if users::count(&mut tx).await? > 0 {
        return Err(Error::Conflict(
            "the database already has users; demo data loads only into an empty database".into(),
        ));
    }
    let mut created = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (i, (name, email, role, tz)) in PEOPLE.iter().enumerate() {
        let email = match (i, admin_email) {
            (0, Some(given)) => given.clone(),
            _ => Email::parse(email)?,
        };
        let user = NewUser {
            email: email.clone(),
            name: PersonName::parse(name)?,
            role: *role,
            time_zone: TimeZoneName::parse(tz)?,
        };
        let row = users::insert(&mut tx, &user, &hash).await?;
        ids.insert(PEOPLE[i].1, row.id);
        created.push((email.to_string(), *role));
    }
    let mut team_ids = std::collections::HashMap::new();
    for (name, slug, members) in TEAMS {
        let id = teams::insert_team(&mut tx, name, slug).await?;
        team_ids.insert(*slug, id);
        let members: Vec<(Uuid, &str)> = members
            .iter()
            .filter_map(|(email, lead)| ids.get(email).map(|u| (u.0, if *lead { "lead" } else { "member" })))
            .collect();
        teams::add_members(&mut tx, id, &members).await?;
    }
    for (name, slug, team, description) in SERVICES {
        teams::insert_service(&mut tx, name, slug, team_ids[team], description).await?;
    }
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry {
            action: "demo.load",
            entity_type: "database",
            entity_id: "demo".into(),
            before: None,
            after: Some(json!({ "users": created.len(), "teams": TEAMS.len(), "services": SERVICES.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    demo_incidents(pool, &ids).await?;
    Ok(DemoCredentials { admin_email: created[0].0.clone(), password: plain, users: created })
}

struct DemoIncident {
    declared_by: &'static str,
    title: &'static str,
    severity: &'static str,
    services: &'static [&'static str],
    customer_impact: bool,
    /// The statuses it is moved through after being declared.
    walk: &'static [&'static str],
}

const INCIDENTS: &[DemoIncident] = &[
    DemoIncident {
        declared_by: "jordan@example.com",
        title: "Card payments declined for EU customers",
        severity: "SEV2",
        services: &["billing"],
        customer_impact: true,
        walk: &["acknowledged", "mitigated", "resolved"],
    },
    DemoIncident {
        declared_by: "priya@example.com",
        title: "Core API p99 latency above 2 s",
        severity: "SEV3",
        services: &["core-api"],
        customer_impact: true,
        walk: &["acknowledged"],
    },
    DemoIncident {
        declared_by: "sam@example.com",
        title: "Dashboard charts render blank in Safari",
        severity: "SEV4",
        services: &["web-dashboard"],
        customer_impact: false,
        walk: &[],
    },
];

/// A few incidents in different states, declared and moved on by the demo responders through the
/// same operations people use, so their timelines read as real ones do.
async fn demo_incidents(
    pool: &PgPool,
    users: &std::collections::HashMap<&str, domain::UserId>,
) -> Result<()> {
    use domain::incident::NewIncidentInput;
    for demo in INCIDENTS {
        let actor = Actor {
            user_id: users.get(demo.declared_by).copied(),
            label: demo.declared_by.to_owned(),
            request_id: None,
        };
        let input = NewIncidentInput {
            title: demo.title.to_owned(),
            severity: demo.severity.to_owned(),
            services: demo.services.iter().map(|s| (*s).to_owned()).collect(),
            description: String::new(),
            customer_impact: demo.customer_impact,
        };
        let incident = super::incidents::declare_incident(pool, &actor, &input.parse()?).await?;
        for to in demo.walk {
            super::incidents::transition_incident(pool, &actor, incident.number, to.parse()?, None).await?;
        }
    }
    Ok(())
}
