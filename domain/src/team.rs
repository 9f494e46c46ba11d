//! Teams, their members, and the services they own ("you build it, you support it").

use serde::{Deserialize, Serialize};

use crate::{FieldError, UserId};

uuid_id!(TeamId, "team_id");

/// A URL-safe name: lower-case letters and digits separated by single hyphens (`core-api`).

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        let ok_chars = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if s.is_empty()
            || s.len() > 50
            || !ok_chars
            || s.starts_with('-')
            || s.ends_with('-')
            || s.contains("--")
        {
            return Err(FieldError::new(
                "slug",
                "must be 1 to 50 lower-case letters, digits and single hyphens, such as core-api",
            ));
        }
        Ok(Slug(s.to_owned()))
    }

    /// A slug made from a display name: "Core API" -> "core-api".
    pub fn from_name(name: &str) -> Result<Self, FieldError> {
        let mut out = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        Slug::parse(out.trim_end_matches('-'))
    }
}

text_newtype!(
    Slug,
    crate::openapi::string(
        "A URL-safe name: 1 to 50 lower-case letters and digits separated by single hyphens, such as \
         core-api."
    )
    .pattern(Some("^[a-z0-9]+(-[a-z0-9]+)*$"))
    .min_length(Some(1))
    .max_length(Some(50))
);

/// The name of a team or a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new("name", "is required"));
        }
        if s.chars().count() > 100 {
            return Err(FieldError::new("name", "must be at most 100 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(FieldError::new("name", "must be one line"));
        }
        Ok(DisplayName(s.to_owned()))
    }
}

text_newtype!(
    DisplayName,
    crate::openapi::string(
        "The name of a team or a service: one line of 1 to 100 characters once spaces around it are \
         trimmed."
    )
    .min_length(Some(1))
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    Lead,
    Member,
}

impl TeamRole {
    pub const ALL: [TeamRole; 2] = [TeamRole::Lead, TeamRole::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Lead => "lead",
            TeamRole::Member => "member",
        }
    }
}

impl std::str::FromStr for TeamRole {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "lead" => Ok(TeamRole::Lead),
            "member" => Ok(TeamRole::Member),
            other => Err(FieldError::new(
                "team_role",
                format!("'{other}' is not a team role; expected lead or member"),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMemberView {
    pub user_id: UserId,
    pub name: String,
    /// Shown to responders and admins, who reach and manage people; viewers see names only.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub email: Option<String>,
    pub role: TeamRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamView {
    pub id: TeamId,
    pub name: String,
    pub slug: String,
    pub members: Vec<TeamMemberView>,
    /// Slugs of the services the team owns.
    pub services: Vec<String>,
    /// The zone the team's retro weeks are counted in.
    pub time_zone: String,
    /// The hours its members' pages are classed by (business, off-hours, sleep).
    pub working_hours: crate::analytics::WorkingHours,
}

/// A team's zone and working hours, as an admin sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamHoursInput {
    pub time_zone: String,
    pub working_hours: crate::analytics::WorkingHours,
}

impl TeamHoursInput {
    pub fn parse(&self) -> Result<(crate::TimeZoneName, crate::analytics::WorkingHours), FieldError> {
        Ok((crate::TimeZoneName::parse(&self.time_zone)?, self.working_hours.clone().parse()?))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceView {
    pub id: crate::service::ServiceId,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub team_slug: String,
    pub team_name: String,
}

/// Input for a new team: the slug is made from the name when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTeamInput {
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
}

impl NewTeamInput {
    pub fn parse(&self) -> Result<(DisplayName, Slug), FieldError> {
        let name = DisplayName::parse(&self.name)?;
        let slug = match self.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Slug::parse(s)?,
            None => Slug::from_name(name.as_str())?,
        };
        Ok((name, slug))
    }
}

/// Input for a new service, owned by the team with slug `team`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewServiceInput {
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
    pub team: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub name: DisplayName,
    pub slug: Slug,
    pub team: Slug,
    pub description: String,
}

impl NewServiceInput {
    pub fn parse(&self) -> Result<NewService, FieldError> {
        let name = DisplayName::parse(&self.name)?;
        let slug = match self.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Slug::parse(s)?,
            None => Slug::from_name(name.as_str())?,
        };
        let team = Slug::parse(&self.team).map_err(|e| FieldError::new("team", e.reason))?;
        let description = self.description.trim().to_owned();
        if description.chars().count() > 2000 {
            return Err(FieldError::new("description", "must be at most 2000 characters"));
        }
        Ok(NewService { name, slug, team, description })
    }
}

stored_as_text!(TeamRole);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_strict_and_can_be_made_from_names() {
        assert_eq!(Slug::parse("core-api").unwrap().as_str(), "core-api");
        for bad in ["", "Core", "core_api", "-core", "core-", "a--b", "ä"] {
            assert_eq!(Slug::parse(bad).unwrap_err().field, "slug", "{bad}");
        }
        assert_eq!(Slug::from_name("Core API").unwrap().as_str(), "core-api");
        assert_eq!(Slug::from_name("  Web / Dashboard! ").unwrap().as_str(), "web-dashboard");
        assert!(Slug::from_name("!!!").is_err());
    }

    #[test]
    fn team_and_service_input_parse_with_field_names() {
        let (name, slug) = NewTeamInput { name: "Platform Team".into(), slug: None }.parse().unwrap();
        assert_eq!((name.as_str(), slug.as_str()), ("Platform Team", "platform-team"));
        assert_eq!(NewTeamInput { name: " ".into(), slug: None }.parse().unwrap_err().field, "name");
        let err = NewServiceInput { name: "Billing".into(), team: "Not A Slug".into(), ..Default::default() }
            .parse()
            .unwrap_err();
        assert_eq!(err.field, "team");
        assert_eq!("boss".parse::<TeamRole>().unwrap_err().field, "team_role");
    }
}
