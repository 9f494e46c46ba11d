//! The route walker: every route the router serves and every server fn, called as anonymous,
//! viewer, responder and admin, and compared with one table of who may do what. The routes come
//! from the router itself (`server::startup::route_paths`, which every plain endpoint and page is
//! added through) and the server-fn registry, so a route missing from the table fails the test.
//!
//! "Refused" is 401 for anonymous (a page sends them to the login form instead) and 403 for a
//! logged-in role below the one required; "allowed" is anything else. The requests carry ids
//! that do not exist and bodies that do not validate, so the walk changes nothing: an endpoint
//! must decide who may call it before it looks at what it was sent. No one ever gets a 5xx.

use std::collections::{BTreeMap, BTreeSet};

use app::api::{
    alerts::*, analytics::*, audit::*, catalog::*, contact::*, incidents::*, integration_keys::*, paging::*,
    policies::*, postmortems::*, retros::*, schedules::*, status_page::*, teams::*, timeline::*, tokens::*,
    users::*,
};
use domain::{
    Role, UserId,
    escalation::{PolicyId, PolicyInput},
    incident::IncidentNumber,
    notification::{ContactMethodInput, RuleInput},
    schedule::{OverrideInput, ScheduleId},
};
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use uuid::Uuid;

use crate::common::{TestApp, spawn_app};

/// Who may call a route: anyone (public, or checked by a key or signed link instead of a
/// login), or a logged-in role and every role above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Access {
    Anyone,
    Viewer,
    Responder,
    Admin,
}
use Access::*;

/// Every plain endpoint and page: method, path as the router names it, who may call it.
const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Anyone),
    ("GET", "/readyz", Anyone),
    ("GET", "/metrics", Anyone),
    ("POST", "/auth/login", Anyone),
    ("POST", "/auth/logout", Anyone),
    ("POST", "/v2/enqueue", Anyone),
    ("POST", "/integrations/generic/{key}", Anyone),
    ("POST", "/integrations/alertmanager/{key}", Anyone),
    ("GET", "/schedules/{id}/oncall.ics", Anyone),
    ("GET", "/ack/{token}", Anyone),
    ("POST", "/ack/{token}", Anyone),
    ("GET", "/api/openapi.json", Anyone),
    ("GET", "/api/docs", Anyone),
    ("POST", "/status/subscribe", Anyone),
    ("GET", "/status/subscriptions/{token}", Anyone),
    ("POST", "/status/subscriptions/{token}", Anyone),
    ("GET", "/status/subscriptions/{token}/unsubscribe", Anyone),
    ("POST", "/status/subscriptions/{token}/unsubscribe", Anyone),
    ("GET", "/status/live.js", Anyone),
    ("GET", "/status/feed.atom", Anyone),
    ("GET", "/status/feed.rss", Anyone),
    ("GET", "/api/v2/summary.json", Anyone),
    ("GET", "/api/v2/status.json", Anyone),
    ("GET", "/api/v2/components.json", Anyone),
    ("GET", "/api/v2/incidents.json", Anyone),
    ("GET", "/api/v2/incidents/unresolved.json", Anyone),
    ("GET", "/api/v2/scheduled-maintenances.json", Anyone),
    ("GET", "/api/v2/scheduled-maintenances/upcoming.json", Anyone),
    ("GET", "/api/v2/scheduled-maintenances/active.json", Anyone),
    ("GET", "/api/v1/status-page/settings", Viewer),
    ("PATCH", "/api/v1/status-page/settings", Admin),
    ("GET", "/api/v1/status-page/components", Viewer),
    ("POST", "/api/v1/status-page/components", Admin),
    ("PUT", "/api/v1/status-page/components/order", Admin),
    ("PATCH", "/api/v1/status-page/components/{id}", Admin),
    ("DELETE", "/api/v1/status-page/components/{id}", Admin),
    ("GET", "/api/v1/status-page/components/{id}/uptime", Anyone),
    ("GET", "/api/v1/status-page/groups", Viewer),
    ("POST", "/api/v1/status-page/groups", Admin),
    ("PATCH", "/api/v1/status-page/groups/{id}", Admin),
    ("DELETE", "/api/v1/status-page/groups/{id}", Admin),
    ("GET", "/api/v1/postmortems", Viewer),
    ("GET", "/api/v1/incidents/{number}/postmortem", Viewer),
    ("POST", "/api/v1/incidents/{number}/postmortem", Responder),
    ("GET", "/api/v1/postmortems/{id}", Viewer),
    ("PATCH", "/api/v1/postmortems/{id}", Responder),
    ("GET", "/api/v1/postmortems/{id}/markdown", Viewer),
    ("POST", "/api/v1/postmortems/{id}/transitions", Responder),
    ("POST", "/api/v1/postmortems/{id}/reviews", Responder),
    ("POST", "/api/v1/postmortems/{id}/comments", Responder),
    ("POST", "/api/v1/postmortems/{id}/timeline", Responder),
    ("PATCH", "/api/v1/postmortems/{id}/timeline/{entry}", Responder),
    ("DELETE", "/api/v1/postmortems/{id}/timeline/{entry}", Responder),
    ("POST", "/api/v1/postmortems/{id}/recurrences", Responder),
    ("POST", "/api/v1/postmortems/{id}/actions", Responder),
    ("GET", "/api/v1/postmortem-actions", Viewer),
    ("PATCH", "/api/v1/postmortem-actions/{id}", Responder),
    ("GET", "/api/v1/postmortem-policy", Viewer),
    ("PUT", "/api/v1/postmortem-policy", Admin),
    ("GET", "/api/v1/postmortem-templates", Viewer),
    ("POST", "/api/v1/postmortem-templates", Admin),
    ("PUT", "/api/v1/postmortem-templates/{id}", Admin),
    ("DELETE", "/api/v1/postmortem-templates/{id}", Admin),
    ("GET", "/api/v1/status-page/incidents", Viewer),
    ("POST", "/api/v1/status-page/incidents", Responder),
    ("POST", "/api/v1/status-page/incidents/{id}/updates", Responder),
    ("GET", "/api/v1/status-page/maintenances", Viewer),
    ("POST", "/api/v1/status-page/maintenances", Responder),
    ("PATCH", "/api/v1/status-page/maintenances/{id}", Responder),
    ("POST", "/api/v1/status-page/maintenances/{id}/cancel", Responder),
    ("GET", "/api/v1/status-page/subscribers", Admin),
    ("POST", "/api/v1/status-page/subscribers", Admin),
    ("DELETE", "/api/v1/status-page/subscribers/{id}", Admin),
    ("GET", "/api/v1/me", Viewer),
    ("PATCH", "/api/v1/me", Viewer),
    ("PUT", "/api/v1/me/password", Viewer),
    ("GET", "/api/v1/me/tokens", Viewer),
    ("POST", "/api/v1/me/tokens", Viewer),
    ("DELETE", "/api/v1/me/tokens/{id}", Viewer),
    ("GET", "/api/v1/users", Admin),
    ("POST", "/api/v1/users", Admin),
    ("PATCH", "/api/v1/users/{id}", Admin),
    ("GET", "/api/v1/audit-log", Admin),
    ("GET", "/api/v1/teams", Viewer),
    ("POST", "/api/v1/teams", Admin),
    ("PUT", "/api/v1/teams/{slug}/members/{user_id}", Admin),
    ("DELETE", "/api/v1/teams/{slug}/members/{user_id}", Admin),
    ("PUT", "/api/v1/teams/{slug}/hours", Admin),
    ("GET", "/api/v1/analytics/response", Viewer),
    ("GET", "/api/v1/analytics/interruptions", Viewer),
    ("GET", "/api/v1/analytics/priority", Viewer),
    ("GET", "/api/v1/analytics/noise", Viewer),
    ("GET", "/api/v1/analytics/compare", Viewer),
    ("GET", "/api/v1/analytics/postmortems", Viewer),
    ("GET", "/api/v1/retros/{team}/{iso_week}", Viewer),
    ("PATCH", "/api/v1/retros/{team}/{iso_week}/pages/{id}", Responder),
    ("POST", "/api/v1/retros/{team}/{iso_week}/notes", Responder),
    ("POST", "/api/v1/retros/{team}/{iso_week}/actions", Responder),
    ("PATCH", "/api/v1/retros/{team}/actions/{id}", Responder),
    ("PUT", "/api/v1/retros/{team}/{iso_week}/mood", Responder),
    ("POST", "/api/v1/retros/{team}/{iso_week}/held", Responder),
    ("GET", "/api/v1/services", Viewer),
    ("POST", "/api/v1/services", Admin),
    ("GET", "/api/v1/services/{slug}", Viewer),
    ("PATCH", "/api/v1/services/{slug}", Admin),
    ("GET", "/api/v1/services/{slug}/integration-keys", Admin),
    ("POST", "/api/v1/services/{slug}/integration-keys", Admin),
    ("DELETE", "/api/v1/services/{slug}/integration-keys/{id}", Admin),
    ("GET", "/api/v1/services/{slug}/rejected-events", Viewer),
    ("GET", "/api/v1/alerts", Viewer),
    ("GET", "/api/v1/alerts/{id}", Viewer),
    ("GET", "/api/v1/incidents", Viewer),
    ("POST", "/api/v1/incidents", Responder),
    ("GET", "/api/v1/incidents/{number}", Viewer),
    ("PATCH", "/api/v1/incidents/{number}", Responder),
    ("POST", "/api/v1/incidents/{number}/transitions", Responder),
    ("POST", "/api/v1/incidents/{number}/roles", Responder),
    ("GET", "/api/v1/incidents/{number}/timeline", Viewer),
    ("POST", "/api/v1/incidents/{number}/timeline", Responder),
    ("PUT", "/api/v1/incidents/{number}/timeline/{id}/pin", Responder),
    ("POST", "/api/v1/incidents/{number}/timeline/{id}/pin", Responder),
    ("DELETE", "/api/v1/incidents/{number}/timeline/{id}/pin", Responder),
    ("POST", "/api/v1/incidents/{number}/links", Responder),
    ("POST", "/api/v1/incidents/{number}/related", Responder),
    ("POST", "/api/v1/handovers", Responder),
    ("GET", "/api/v1/schedules", Viewer),
    ("POST", "/api/v1/schedules", Admin),
    ("GET", "/api/v1/schedules/{id}", Viewer),
    ("PUT", "/api/v1/schedules/{id}", Admin),
    ("DELETE", "/api/v1/schedules/{id}", Admin),
    ("GET", "/api/v1/schedules/{id}/oncall", Viewer),
    ("GET", "/api/v1/schedules/{id}/shifts", Viewer),
    ("POST", "/api/v1/schedules/{id}/overrides", Responder),
    ("DELETE", "/api/v1/schedules/{id}/overrides/{override_id}", Responder),
    ("GET", "/api/v1/oncall", Viewer),
    ("POST", "/api/v1/me/calendar-feed/rotate", Viewer),
    ("GET", "/api/v1/escalation-policies", Viewer),
    ("POST", "/api/v1/escalation-policies", Admin),
    ("GET", "/api/v1/escalation-policies/{id}", Viewer),
    ("PUT", "/api/v1/escalation-policies/{id}", Admin),
    ("DELETE", "/api/v1/escalation-policies/{id}", Admin),
    ("POST", "/api/v1/incidents/{number}/acknowledge", Responder),
    ("POST", "/api/v1/incidents/{number}/page", Responder),
    ("GET", "/api/v1/incidents/{number}/pages", Viewer),
    // The whole log is for admins; `?incident=` (one incident's messages) for anyone.
    ("GET", "/api/v1/deliveries", Admin),
    ("GET", "/api/v1/me/contact-methods", Viewer),
    ("POST", "/api/v1/me/contact-methods", Viewer),
    ("DELETE", "/api/v1/me/contact-methods/{id}", Viewer),
    ("POST", "/api/v1/me/contact-methods/{id}/test", Viewer),
    ("GET", "/api/v1/me/notification-rules", Viewer),
    ("POST", "/api/v1/me/notification-rules", Viewer),
    ("DELETE", "/api/v1/me/notification-rules/{id}", Viewer),
    ("GET", "/api/v1/users/{id}/contact-methods", Admin),
    ("POST", "/api/v1/users/{id}/contact-methods", Admin),
    ("DELETE", "/api/v1/users/{id}/contact-methods/{method}", Admin),
    ("GET", "/api/v1/users/{id}/notification-rules", Admin),
    ("POST", "/api/v1/users/{id}/notification-rules", Admin),
    ("DELETE", "/api/v1/users/{id}/notification-rules/{rule}", Admin),
    ("GET", "/api/v1/events", Viewer),
    // Pages.
    ("GET", "/login", Anyone),
    ("GET", "/status", Anyone),
    ("GET", "/status/history", Anyone),
    ("GET", "/status/history/{page}", Anyone),
    ("GET", "/status/incidents/{id}", Anyone),
    ("GET", "/", Viewer),
    ("GET", "/incidents", Viewer),
    ("GET", "/incidents/new", Responder),
    ("GET", "/incidents/{number}", Viewer),
    ("GET", "/oncall", Viewer),
    ("GET", "/schedules", Viewer),
    ("GET", "/schedules/new", Admin),
    ("GET", "/schedules/{id}", Viewer),
    ("GET", "/schedules/{id}/edit", Admin),
    ("GET", "/escalation-policies", Viewer),
    ("GET", "/escalation-policies/new", Admin),
    ("GET", "/escalation-policies/{id}/edit", Admin),
    ("GET", "/services", Viewer),
    ("GET", "/services/{slug}", Viewer),
    ("GET", "/postmortems", Viewer),
    ("GET", "/postmortems/actions", Viewer),
    ("GET", "/postmortems/{id}", Viewer),
    ("GET", "/retro", Viewer),
    ("GET", "/analytics", Viewer),
    ("GET", "/admin", Admin),
    ("GET", "/admin/users", Admin),
    ("GET", "/admin/teams", Admin),
    ("GET", "/admin/audit", Admin),
    ("GET", "/admin/integrations", Admin),
    ("GET", "/admin/deliveries", Admin),
    ("GET", "/admin/status-page", Admin),
    ("GET", "/admin/postmortem-templates", Admin),
    ("GET", "/settings/account", Viewer),
    ("GET", "/settings/tokens", Viewer),
    ("GET", "/settings/notifications", Viewer),
];

/// A value of the right type for each path parameter, naming nothing that exists.
fn sample_path(template: &str) -> String {
    let nil = Uuid::nil().to_string();
    // Alerts and timeline entries have numeric ids; everything else a UUID.
    let numeric_id = template.starts_with("/api/v1/alerts/")
        || (template.starts_with("/api/v1/incidents/") && template.contains("/timeline/"))
        || template.contains("/pages/{id}");
    let mut path = template
        .replace("{number}", "999999")
        .replace("{slug}", "no-such-thing")
        .replace("{team}", "no-such-team")
        .replace("{iso_week}", "2026-W48")
        .replace("{key}", "notakeynotakeynotakeynotakeynota")
        .replace("{token}", "not-a-signed-token")
        .replace("{user_id}", &nil)
        .replace("{override_id}", &nil)
        .replace("{method}", &nil)
        .replace("{rule}", &nil)
        .replace("{page}", "2")
        .replace("{entry}", &nil);
    path = path.replace("{id}", if numeric_id { "999999" } else { &nil });
    assert!(!path.contains('{'), "no sample for a parameter of {template}");
    path
}

/// A server fn's path, its arguments as the browser encodes them, and who may call it.
struct FnCase {
    path: &'static str,
    content_type: &'static str,
    body: String,
    access: Access,
}

/// A server fn taking its arguments as a form, as the browser sends them.
fn call<T: ServerFn + serde::Serialize>(args: T, access: Access) -> FnCase {
    FnCase {
        path: T::PATH,
        content_type: "application/x-www-form-urlencoded",
        body: serde_qs::to_string(&args).unwrap(),
        access,
    }
}

/// A server fn declared with `input = Json`.
fn call_json<T: ServerFn + serde::Serialize>(args: T, access: Access) -> FnCase {
    FnCase {
        path: T::PATH,
        content_type: "application/json",
        body: serde_json::to_string(&args).unwrap(),
        access,
    }
}

/// Every server fn with arguments that decode (the walk must reach the role check) and name
/// nothing that exists.
fn server_fns() -> Vec<FnCase> {
    let s = || "x".to_owned();
    let number = || "999999".to_owned();
    let incident = || "999999".parse::<IncidentNumber>().unwrap();
    let nil = Uuid::nil();
    vec![
        call(ListTeams {}, Viewer),
        call(SetMyTimeZone { time_zone: s() }, Viewer),
        call_json(Analytics { filter: Default::default(), compare: Default::default() }, Viewer),
        call(Retro { team: s(), week: s() }, Viewer),
        call(
            MarkRetroPage {
                team: s(),
                week: "2026-W48".into(),
                page: 999_999,
                documented: None,
                runbook_url: s(),
                automated: s(),
                note: s(),
            },
            Responder,
        ),
        call(AddRetroNote { team: s(), week: "2026-W48".into(), body: s() }, Responder),
        call(
            AddRetroAction { team: s(), week: "2026-W48".into(), title: s(), owner_id: s(), due_on: s() },
            Responder,
        ),
        call(SetRetroActionDone { team: s(), id: nil, done: true }, Responder),
        call(SetRetroMood { team: s(), week: "2026-W48".into(), mood: 3 }, Responder),
        call(HoldRetro { team: s(), week: "2026-W48".into(), attendees: vec![] }, Responder),
        call(CoverMorning { schedule: nil, cover: nil, start: s(), end: s() }, Responder),
        call(CreateTeam { input: Default::default() }, Admin),
        call(SetTeamMember { team: s(), user: UserId(nil), role: s() }, Admin),
        call(
            SetTeamHours {
                team: s(),
                time_zone: s(),
                days: vec![],
                start: s(),
                end: s(),
                sleep_start: s(),
                sleep_end: s(),
            },
            Admin,
        ),
        call(RemoveTeamMember { team: s(), user: UserId(nil) }, Admin),
        call(PolicyOverviews {}, Viewer),
        call(LoadPolicy { id: PolicyId(nil) }, Viewer),
        call(PolicyTargets {}, Admin),
        call_json(
            SavePolicy { id: None, input: PolicyInput { name: s(), levels: vec![], repeat: 0 } },
            Admin,
        ),
        call(DeletePolicy { id: PolicyId(nil) }, Admin),
        call_json(ListAlerts { filter: Default::default() }, Viewer),
        call(ListRejectedEvents { slug: s() }, Viewer),
        call(IncidentTimeline { number: number() }, Viewer),
        call(AddNote { number: number(), body: s() }, Responder),
        call(PinEntry { number: number(), id: 999_999, pin: s() }, Responder),
        call(MyNotifications {}, Viewer),
        call(AddContactMethod { input: ContactMethodInput { kind: s(), label: s(), address: s() } }, Viewer),
        call(RemoveContactMethod { id: nil }, Viewer),
        call(SendTestPage { id: nil }, Viewer),
        call(AddNotificationRule { input: RuleInput { contact_method_id: nil, delay_minutes: 0 } }, Viewer),
        call(RemoveNotificationRule { id: nil }, Viewer),
        call(DeliveryLog {}, Admin),
        call(SubscriberMessageLog {}, Admin),
        call(ListUsers {}, Admin),
        call(CreateUser { input: Default::default() }, Admin),
        call(SetUserRole { id: UserId(nil), role: s() }, Admin),
        call(SetUserDisabled { id: UserId(nil), disabled: true }, Admin),
        call(ChangeMyPassword { current_password: s(), new_password: s() }, Viewer),
        call(ListAudit { before: None }, Admin),
        call(ListServices {}, Viewer),
        call(CreateService { input: Default::default() }, Admin),
        call(LoadService { slug: s() }, Viewer),
        call(UpdateIngestion { slug: s(), form: Default::default() }, Admin),
        call(RouteService { slug: s(), policy: s() }, Admin),
        call(ListMyTokens {}, Viewer),
        call(CreateMyToken { label: String::new(), expires_in_days: None }, Viewer),
        call(RevokeMyToken { id: nil }, Viewer),
        call_json(ListIncidents { filter: Default::default() }, Viewer),
        call(GetIncident { number: number() }, Viewer),
        call(ListResponders {}, Viewer),
        call(HandoverSuggestion {}, Responder),
        call(DeclareIncident { input: Default::default() }, Responder),
        call(TransitionIncident { number: number(), to: s(), reason: None }, Responder),
        call(ChangeSeverity { number: number(), severity: s(), reason: s() }, Responder),
        call(
            EditIncident {
                number: number(),
                title: s(),
                description: s(),
                customer_impact: None,
                impact_started_at: s(),
                impact_ended_at: s(),
                root_cause_tags: s(),
            },
            Responder,
        ),
        call(AssignRole { number: number(), role: s(), user_id: s() }, Responder),
        call(HandOver { to: s() }, Responder),
        call(AddLink { number: number(), url: s(), label: s() }, Responder),
        call(RelateIncident { number: number(), other: s(), reason: s() }, Responder),
        call(PageLog { number: incident() }, Viewer),
        call(PageTarget { number: incident(), target: s() }, Responder),
        call(PageChoices {}, Viewer),
        call(ListIntegrationKeys { slug: s() }, Admin),
        call(CreateIntegrationKey { slug: s(), input: Default::default() }, Admin),
        call(RevokeIntegrationKey { slug: s(), id: nil }, Admin),
        call(ListSchedules {}, Viewer),
        call(LoadSchedule { id: nil }, Viewer),
        call_json(SaveSchedule { id: None, input: Default::default(), confirm: false }, Admin),
        call(DeleteSchedule { id: nil }, Admin),
        call_json(
            AddScheduleOverride {
                id: ScheduleId(nil),
                input: OverrideInput { user_id: nil, start: s(), end: s(), layer_id: None },
                confirm: false,
            },
            Responder,
        ),
        call(RemoveScheduleOverride { id: ScheduleId(nil), override_id: nil }, Responder),
        call(ScheduleCandidates {}, Responder),
        call(OncallOverview {}, Viewer),
        call(RotateCalendarFeed {}, Viewer),
        call(PublicStatus {}, Anyone),
        call(PublicIncident { id: s() }, Anyone),
        call(PublicHistory { page: 1 }, Anyone),
        call(LoadStatusPageForm { number: number() }, Responder),
        call(PreviewStatusMessage { body: s() }, Responder),
        call(PostmortemQueue {}, Viewer),
        call(GetPostmortem { id: nil }, Viewer),
        call(IncidentPostmortem { number: number() }, Viewer),
        call(StartPostmortem { number: number() }, Responder),
        call(SavePostmortemSection { id: nil, version: 1, section: s(), text: s() }, Responder),
        call(MovePostmortem { id: nil, to: s(), reviewers: vec![] }, Responder),
        call(ReviewPostmortem { id: nil, verdict: s(), comment: s() }, Responder),
        call(CommentPostmortem { id: nil, body: s(), section: s() }, Responder),
        call(AddPostmortemLine { id: nil, at: s(), text: s(), source: None }, Responder),
        call(RemovePostmortemLine { id: nil, entry: nil }, Responder),
        call(EditPostmortemLine { id: nil, entry: nil, at: s(), text: s() }, Responder),
        call(DecidePostmortemRecurrence { id: nil, incident: number(), confirmed: true }, Responder),
        call(
            AddPostmortemAction {
                id: nil,
                title: s(),
                owner_id: None,
                due_on: s(),
                priority: s(),
                tracker_url: s(),
                from_event: None,
            },
            Responder,
        ),
        call(SetPostmortemAction { id: nil, status: s(), reason: s() }, Responder),
        call(PostmortemActions { mine: false, team: s(), status: s(), overdue: false }, Viewer),
        call(WaitingOnMe {}, Viewer),
        call(SavePostmortemSummary { id: nil, version: 1, text: s() }, Responder),
        call(SavePostmortemMeeting { id: nil, version: 1, at: s() }, Responder),
        call(PostmortemSettings {}, Admin),
        call(
            SavePostmortemPolicy {
                severities: vec![],
                business_days: 5,
                required_approvals: 1,
                high_days: 28,
                other_days: 56,
            },
            Admin,
        ),
        call(SavePostmortemTemplate { id: None, name: s(), severities: vec![], sections: s() }, Admin),
        call(DeletePostmortemTemplate { id: nil }, Admin),
        call(AdminStatusPage {}, Admin),
        call(
            SaveStatusSettings {
                name: s(),
                time_zone: s(),
                support_url: s(),
                banner: s(),
                maintenance_counts: None,
                partial_weight: s(),
                reminder_hours: s(),
            },
            Admin,
        ),
        call(
            SaveStatusComponent {
                id: Some(nil),
                name: s(),
                description: s(),
                group: String::new(),
                position: String::new(),
                only_show_if_degraded: None,
                services: String::new(),
            },
            Admin,
        ),
        call(DeleteStatusComponent { id: nil }, Admin),
        call(ReorderStatusComponents { order: s() }, Admin),
        call(SaveStatusGroup { id: Some(nil), name: s(), position: String::new() }, Admin),
        call(DeleteStatusGroup { id: nil }, Admin),
        call(StatusSubscribers {}, Admin),
        call(RemoveStatusSubscriber { id: nil }, Admin),
        call(
            PostStatusPage {
                number: number(),
                name: s(),
                status: s(),
                impact: String::new(),
                body: s(),
                components: Default::default(),
            },
            Responder,
        ),
    ]
}

/// What a caller gets back: the status, and for a redirect where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: StatusCode,
    location: Option<String>,
    /// The start of the body of a 5xx, to say what went wrong.
    error: Option<String>,
}

impl Answer {
    fn refused(&self, anonymous: bool) -> bool {
        match self.status {
            StatusCode::UNAUTHORIZED => anonymous,
            StatusCode::FORBIDDEN => !anonymous,
            s if s.is_redirection() => {
                // The session layer sends a logged-out page request to the form, saying where to
                // come back to; other redirects (logging out lands on the form) are answers.
                anonymous && self.location.as_deref().is_some_and(|l| l.starts_with("/login?next="))
            }
            _ => false,
        }
    }
}

/// A viewer, a responder and an admin.
struct Callers {
    users: Vec<(Role, domain::UserView)>,
}

impl Callers {
    async fn new(app: &TestApp) -> Callers {
        let mut users = Vec::new();
        for (email, role) in [
            ("vera@example.com", Role::Viewer),
            ("rory@example.com", Role::Responder),
            ("ada@example.com", Role::Admin),
        ] {
            users.push((role, app.user(email, role).await));
        }
        Callers { users }
    }

    /// Anonymous first, then each role with a new session.
    async fn sessions(&self, app: &TestApp) -> Vec<(Option<Role>, Option<String>)> {
        let mut sessions = vec![(None, None)];
        for (role, user) in &self.users {
            sessions.push((Some(*role), Some(app.session_for(user, app.now()).await)));
        }
        sessions
    }
}

async fn send(
    app: &TestApp,
    session: Option<&str>,
    method: &Method,
    path: &str,
    content: (&str, String),
) -> Answer {
    // Pages are asked for as a browser navigates; everything else as the app's own client does
    // (a server fn asked for HTML would answer a no-script form post with a redirect).
    let accept = if content.0 == "application/json" && method == Method::GET {
        "text/html"
    } else {
        "application/json"
    };
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut req = client
        .request(method.clone(), app.url(path))
        .header(reqwest::header::ORIGIN, &app.base)
        .header(reqwest::header::ACCEPT, accept)
        .header(reqwest::header::CONTENT_TYPE, content.0)
        .body(content.1);
    if let Some(jwt) = session {
        req = req.header(reqwest::header::COOKIE, format!("tocsin_session={jwt}"));
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    // The live stream never ends by itself: only a failure's body is read.
    let error = if status.is_server_error() {
        Some(res.text().await.unwrap_or_default().chars().take(300).collect())
    } else {
        None
    };
    Answer { status, location, error }
}

fn role_access(role: Option<Role>) -> Option<Access> {
    role.map(|r| match r {
        Role::Viewer => Viewer,
        Role::Responder => Responder,
        Role::Admin => Admin,
    })
}

/// Checks one route's answers to each caller; returns what was wrong.
fn judge(what: &str, access: Access, answers: &[(Option<Role>, Answer)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (role, answer) in answers {
        let who = role.map_or("anonymous".to_owned(), |r| r.to_string());
        if answer.status.is_server_error() {
            wrong.push(format!(
                "{what} as {who}: {} {}",
                answer.status,
                answer.error.as_deref().unwrap_or("")
            ));
            continue;
        }
        let may = access == Anyone || role_access(*role).is_some_and(|r| r >= access);
        let refused = answer.refused(role.is_none());
        if may
            && (refused
                || answer.status == StatusCode::UNAUTHORIZED
                || answer.status == StatusCode::FORBIDDEN)
        {
            wrong.push(format!("{what} as {who}: refused ({:?}) but {access:?} may", answer));
        } else if !may && !refused {
            wrong.push(format!("{what} as {who}: allowed ({:?}) but only {access:?} may", answer));
        }
    }
    wrong
}

#[tokio::test]
async fn every_route_and_server_fn_answers_each_role_as_the_table_says() {
    let app = spawn_app().await;
    let callers = Callers::new(&app).await;
    let sessions = callers.sessions(&app).await;
    let methods = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
    let json = || ("application/json", "{}".to_owned());

    // The routes the router has: each listed path with each method it answers other than 405.
    let mut served: BTreeSet<(String, String)> = BTreeSet::new();
    for template in server::startup::route_paths() {
        let path = sample_path(&template);
        for method in &methods {
            let answer = send(&app, None, method, &path, json()).await;
            if answer.status != StatusCode::METHOD_NOT_ALLOWED {
                served.insert((method.to_string(), template.clone()));
            }
        }
    }
    let table: BTreeMap<(String, String), Access> =
        ROUTES.iter().map(|(m, p, a)| ((m.to_string(), p.to_string()), *a)).collect();
    let missing: Vec<_> = served.iter().filter(|r| !table.contains_key(*r)).collect();
    assert!(missing.is_empty(), "routes the table does not say who may call: {missing:?}");
    let stale: Vec<_> = table.keys().filter(|r| !served.contains(*r)).collect();
    assert!(stale.is_empty(), "the table names routes the router does not serve: {stale:?}");

    let mut wrong = Vec::new();
    // Logging out ends the caller's session, so it goes last.
    let mut order: Vec<_> = ROUTES.iter().collect();
    order.sort_by_key(|(_, p, _)| *p == "/auth/logout");
    for (method, template, access) in order {
        let method: Method = method.parse().unwrap();
        let path = sample_path(template);
        let mut answers = Vec::new();
        for (role, session) in &sessions {
            answers.push((*role, send(&app, session.as_deref(), &method, &path, json()).await));
        }
        wrong.extend(judge(&format!("{method} {template}"), *access, &answers));
    }

    // Every registered server fn is in the table, and each answers as it says (with sessions
    // of their own: the walk above logged the first ones out).
    let sessions = callers.sessions(&app).await;
    let cases = server_fns();
    let listed: BTreeSet<&str> = cases.iter().map(|c| c.path).collect();
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned()).collect();
    let unlisted: Vec<_> = registered.iter().filter(|p| !listed.contains(p.as_str())).collect();
    assert!(unlisted.is_empty(), "server fns the table does not say who may call: {unlisted:?}");
    for case in &cases {
        assert!(registered.contains(case.path), "{} is not registered", case.path);
        let mut answers = Vec::new();
        for (role, session) in &sessions {
            let content = (case.content_type, case.body.clone());
            answers.push((*role, send(&app, session.as_deref(), &Method::POST, case.path, content).await));
        }
        wrong.extend(judge(&format!("server fn {}", case.path), case.access, &answers));
    }
    assert!(wrong.is_empty(), "{} answers differ from the table:\n{}", wrong.len(), wrong.join("\n"));
}
