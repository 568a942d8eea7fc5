//! Modify License: the one way a user changes a license by hand.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::dates::{add_days, parse_date, DateError};
use super::expiration::Expiration;
use super::history::{HistoryEntry, HistoryField, HistoryOrigin};
use super::ids::KeyPrefix;
use super::license::{License, LicenseWarning};
use super::modifiable::check_modifiable;
use super::seats::{Seats, SeatsError};
use super::sequences::Sequences;
use super::stamp::Stamp;
use super::status::{LicenseStatus, OrgStatus};
use super::user::{PermissionError, User};
use super::Field;

/// The LMA lets a customer try an offering for up to 90 days.
pub const MAX_TRIAL_DAYS: u64 = 90;

/// What the Modify License form submits, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyLicenseDraft {
    /// `YYYY-MM-DD`, as a date input gives it. Ignored when
    /// `does_not_expire` is ticked, since the form disables the input then.
    pub expiration_date: String,
    pub does_not_expire: bool,
    /// Ignored when `site_license` is ticked, for the same reason.
    pub seats: String,
    pub site_license: bool,
    pub status: String,
}

impl ModifyLicenseDraft {
    /// The form's starting values: the license as it is now.
    pub fn from_license(license: &License) -> Self {
        ModifyLicenseDraft {
            expiration_date: license
                .expiration
                .date()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            does_not_expire: license.expiration == Expiration::DoesNotExpire,
            seats: license.seats.input_text(),
            site_license: license.seats.is_site_license(),
            status: license.status.label().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModifyLicenseError {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error("This license is Uninstalled, so it can't be modified. If the customer reinstalls the package, the license can be modified again.")]
    Uninstalled,
    #[error("The proxy user has deactivated: the subscriber org is {org_status}, which means it is locked, deleted or disabled, so its license can't be updated. Check whether the org is active: if the customer deleted the org, this license no longer applies. Check whether the package is still installed: if the org is locked or the package was uninstalled, ask the customer to reinstall the package.")]
    OrgLocked { org_status: OrgStatus },
    #[error(transparent)]
    Seats(#[from] SeatsError),
    #[error("Enter an expiration date, or choose Does not expire.")]
    ExpirationMissing,
    #[error(transparent)]
    ExpirationInvalid(DateError),
    #[error("The expiration date {date} is in the past; choose today ({today}) or a later date, or choose Does not expire.")]
    ExpirationInPast { date: NaiveDate, today: NaiveDate },
    #[error("Choose a License Status: Trial, Active or Suspended.")]
    StatusMissing,
    #[error("\"{input}\" is not a License Status; choose Trial, Active or Suspended.")]
    StatusUnknown { input: String },
    #[error("Uninstalled can't be chosen by hand: it is set when the customer uninstalls the package. Choose Trial, Active or Suspended.")]
    StatusUninstalled,
    #[error(
        "This license has been Active, so it can't return to Trial. Choose Active or Suspended."
    )]
    BackToTrial,
    #[error("A Trial license must expire: enter an expiration date on or before {latest} (at most {MAX_TRIAL_DAYS} days from today), or choose Active.")]
    TrialNeedsExpiration { latest: NaiveDate },
    #[error("A Trial lasts at most {MAX_TRIAL_DAYS} days: choose an expiration date on or before {latest} instead of {date}, or choose Active.")]
    TrialTooLong { date: NaiveDate, latest: NaiveDate },
}

impl ModifyLicenseError {
    pub fn field(&self) -> Field {
        use ModifyLicenseError::*;
        match self {
            Permission(_) | Uninstalled | OrgLocked { .. } => Field::Form,
            Seats(_) => Field::Seats,
            ExpirationMissing
            | ExpirationInvalid(_)
            | ExpirationInPast { .. }
            | TrialNeedsExpiration { .. }
            | TrialTooLong { .. } => Field::Expiration,
            StatusMissing | StatusUnknown { .. } | StatusUninstalled | BackToTrial => Field::Status,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifyOutcome {
    pub license: License,
    /// Empty when nothing changed; the license is then returned as it was.
    pub history: Vec<HistoryEntry>,
    pub warnings: Vec<LicenseWarning>,
}

struct Changes {
    seats: Seats,
    expiration: Expiration,
    status: LicenseStatus,
}

/// Applies the draft, or returns the first error. Use
/// [`modify_license_reporting_all`] to show every field's error at once.
pub fn modify_license(
    license: &License,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<ModifyOutcome, ModifyLicenseError> {
    modify_license_reporting_all(license, &[], draft, actor, today, now, seq).map_err(
        |mut errors| {
            // Never empty; StatusMissing is unreachable.
            if errors.is_empty() {
                ModifyLicenseError::StatusMissing
            } else {
                errors.swap_remove(0)
            }
        },
    )
}

/// Applies the draft, or returns every error it has, in form order (never
/// an empty list). `history` is the license's License History: whether the
/// license was ever Active (it then can't return to Trial) is read from the
/// license and its history ([`License::has_been_active`]).
pub fn modify_license_reporting_all(
    license: &License,
    history: &[HistoryEntry],
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<ModifyOutcome, Vec<ModifyLicenseError>> {
    let been_active = license.has_been_active(history);
    let changes = validate(license, been_active, draft, actor, today)?;

    let mut updated = license.clone();
    let mut history = Vec::new();
    let mut record = |field: HistoryField, old: String, new: String| {
        if old != new {
            history.push(HistoryEntry {
                id: seq.next_id(KeyPrefix::LicenseHistory),
                license_id: license.id.clone(),
                field,
                old_value: old,
                new_value: new,
                by: actor.id.clone(),
                at: now,
                origin: HistoryOrigin::ByHand,
            });
        }
    };
    record(
        HistoryField::Expiration,
        license.expiration.to_string(),
        changes.expiration.to_string(),
    );
    record(
        HistoryField::Seats,
        license.seats.to_string(),
        changes.seats.to_string(),
    );
    record(
        HistoryField::Status,
        license.status.to_string(),
        changes.status.to_string(),
    );

    if !history.is_empty() {
        updated.expiration = changes.expiration;
        updated.seats = changes.seats;
        updated.status = changes.status;
        updated.ever_active = been_active || changes.status == LicenseStatus::Active;
        if changes.seats.is_site_license() {
            updated.used_licenses = None;
        }
        updated.last_modified = Stamp::user(&actor.id, now);
    }
    let warnings = updated.warnings();
    Ok(ModifyOutcome {
        license: updated,
        history,
        warnings,
    })
}

/// Every error the draft has, in form order; empty when it would save.
pub fn modify_license_errors(
    license: &License,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
) -> Vec<ModifyLicenseError> {
    validate(license, license.has_been_active(&[]), draft, actor, today)
        .err()
        .unwrap_or_default()
}

fn validate(
    license: &License,
    been_active: bool,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
) -> Result<Changes, Vec<ModifyLicenseError>> {
    check_modifiable(license, actor).map_err(|e| vec![e])?;

    let mut errors = Vec::new();
    let expiration = parse_expiration(draft, today)
        .map_err(|e| errors.push(e))
        .ok();
    let seats = if draft.site_license {
        Some(Seats::SiteLicense)
    } else {
        Seats::parse(&draft.seats)
            .map_err(|e| errors.push(e.into()))
            .ok()
    };
    let status = parse_status(&draft.status).map_err(|e| errors.push(e)).ok();

    if status == Some(LicenseStatus::Trial) {
        if been_active {
            errors.push(ModifyLicenseError::BackToTrial);
        }
        // Past the end of chrono's calendar every date is within 90 days.
        let latest = add_days(today, MAX_TRIAL_DAYS).unwrap_or(NaiveDate::MAX);
        match expiration {
            Some(Expiration::DoesNotExpire) => {
                errors.push(ModifyLicenseError::TrialNeedsExpiration { latest })
            }
            Some(Expiration::Date(date)) if date > latest => {
                errors.push(ModifyLicenseError::TrialTooLong { date, latest })
            }
            _ => {}
        }
    }

    match (expiration, seats, status) {
        (Some(expiration), Some(seats), Some(status)) if errors.is_empty() => Ok(Changes {
            seats,
            expiration,
            status,
        }),
        _ => Err(errors),
    }
}

/// The typed Expiration (shared with Bulk Modify License, whose changed
/// fields must pass the same checks).
pub(super) fn parse_expiration(
    draft: &ModifyLicenseDraft,
    today: NaiveDate,
) -> Result<Expiration, ModifyLicenseError> {
    if draft.does_not_expire {
        return Ok(Expiration::DoesNotExpire);
    }
    match parse_date(&draft.expiration_date) {
        Ok(date) if date < today => Err(ModifyLicenseError::ExpirationInPast { date, today }),
        Ok(date) => Ok(Expiration::Date(date)),
        Err(DateError::Empty) => Err(ModifyLicenseError::ExpirationMissing),
        Err(e) => Err(ModifyLicenseError::ExpirationInvalid(e)),
    }
}

pub(super) fn parse_status(input: &str) -> Result<LicenseStatus, ModifyLicenseError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ModifyLicenseError::StatusMissing);
    }
    match LicenseStatus::parse(s) {
        Ok(LicenseStatus::Uninstalled) => Err(ModifyLicenseError::StatusUninstalled),
        Ok(status) => Ok(status),
        Err(_) => Err(ModifyLicenseError::StatusUnknown {
            input: s.chars().take(40).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::license::fixtures::{at, date, license};
    use crate::domain::user::{seed_users, Profile};
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        date(2025, 3, 1)
    }

    fn now() -> NaiveDateTime {
        at(2025, 3, 1, 10, 30, 0)
    }

    fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    fn manager() -> User {
        user(Profile::LicenseManager)
    }

    fn draft(expiration: &str, seats: &str, status: &str) -> ModifyLicenseDraft {
        ModifyLicenseDraft {
            expiration_date: expiration.into(),
            does_not_expire: false,
            seats: seats.into(),
            site_license: false,
            status: status.into(),
        }
    }

    fn trial_license() -> License {
        let mut l = license();
        l.status = LicenseStatus::Trial;
        l.ever_active = false;
        l.expiration = Expiration::Date(date(2025, 3, 20));
        l
    }

    fn run(l: &License, d: &ModifyLicenseDraft) -> Result<ModifyOutcome, ModifyLicenseError> {
        modify_license(l, d, &manager(), today(), now(), &mut Sequences::default())
    }

    #[test]
    fn seats_boundaries() {
        let l = license();
        let ok = run(&l, &draft("2025-12-31", "99000000", "Active")).unwrap();
        assert_eq!(ok.license.seats.get(), Some(99_000_000));
        for bad in ["99000001", "0", "", "abc"] {
            let err = run(&l, &draft("2025-12-31", bad, "Active")).unwrap_err();
            assert_eq!(err.field(), Field::Seats, "{bad}");
        }
        let site = ModifyLicenseDraft {
            site_license: true,
            seats: "garbage is ignored".into(),
            ..draft("2025-12-31", "", "Active")
        };
        let out = run(&l, &site).unwrap();
        assert_eq!(out.license.seats, Seats::SiteLicense);
        assert_eq!(out.license.used_licenses, None);
    }

    #[test]
    fn expiration_today_passes_yesterday_fails() {
        let l = license();
        assert!(run(&l, &draft("2025-03-01", "10", "Active")).is_ok());
        let err = run(&l, &draft("2025-02-28", "10", "Active")).unwrap_err();
        assert!(matches!(err, ModifyLicenseError::ExpirationInPast { .. }));
        assert_eq!(err.field(), Field::Expiration);
        assert_eq!(
            run(&l, &draft("", "10", "Active")).unwrap_err(),
            ModifyLicenseError::ExpirationMissing
        );
        let never = ModifyLicenseDraft {
            does_not_expire: true,
            ..draft("1999-01-01", "10", "Active")
        };
        assert_eq!(
            run(&l, &never).unwrap().license.expiration,
            Expiration::DoesNotExpire
        );
    }

    #[test]
    fn trial_lasts_at_most_90_days() {
        let l = trial_license();
        assert!(run(&l, &draft("2025-05-30", "10", "Trial")).is_ok()); // today + 90
        let err = run(&l, &draft("2025-05-31", "10", "Trial")).unwrap_err();
        assert_eq!(
            err,
            ModifyLicenseError::TrialTooLong {
                date: date(2025, 5, 31),
                latest: date(2025, 5, 30)
            }
        );
        let never = ModifyLicenseDraft {
            does_not_expire: true,
            ..draft("", "10", "Trial")
        };
        assert!(matches!(
            run(&l, &never).unwrap_err(),
            ModifyLicenseError::TrialNeedsExpiration { .. }
        ));
    }

    #[test]
    fn once_active_never_back_to_trial() {
        let active = license();
        let err = run(&active, &draft("2025-03-20", "10", "Trial")).unwrap_err();
        assert_eq!(err, ModifyLicenseError::BackToTrial);
        assert_eq!(err.field(), Field::Status);

        let trial = trial_license();
        let out = run(&trial, &draft("2025-03-20", "10", "Active")).unwrap();
        assert!(out.license.ever_active);

        let suspended = run(&out.license, &draft("2025-03-20", "10", "Suspended"))
            .unwrap()
            .license;
        assert_eq!(
            run(&suspended, &draft("2025-03-20", "10", "Trial")).unwrap_err(),
            ModifyLicenseError::BackToTrial
        );
    }

    #[test]
    fn history_showing_active_forbids_trial_and_every_error_is_reported() {
        // A Suspended license whose flag was lost, but whose history shows it
        // was Active: it can't return to Trial.
        let mut l = trial_license();
        l.status = LicenseStatus::Suspended;
        let was_active = HistoryEntry {
            id: crate::domain::SfId::generate(KeyPrefix::LicenseHistory, 1),
            license_id: l.id.clone(),
            field: HistoryField::Status,
            old_value: "Active".into(),
            new_value: "Suspended".into(),
            by: manager().id,
            at: now(),
            origin: Default::default(),
        };
        let run_all = |history: &[HistoryEntry], d: &ModifyLicenseDraft| {
            modify_license_reporting_all(
                &l,
                history,
                d,
                &manager(),
                today(),
                now(),
                &mut Sequences::default(),
            )
        };
        let trial = draft("2025-03-20", "10", "Trial");
        assert!(run_all(&[], &trial).is_ok());
        assert_eq!(
            run_all(std::slice::from_ref(&was_active), &trial).unwrap_err(),
            vec![ModifyLicenseError::BackToTrial]
        );
        let out = run_all(
            std::slice::from_ref(&was_active),
            &draft("2025-03-20", "10", "Suspended"),
        );
        assert!(out.is_ok());
        let errors = run_all(&[], &draft("yesterday", "0", "Gone")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(fields, vec![Field::Expiration, Field::Seats, Field::Status]);
    }

    #[test]
    fn a_trial_never_active_may_be_suspended_and_resumed() {
        let trial = trial_license();
        let suspended = run(&trial, &draft("2025-03-20", "10", "Suspended"))
            .unwrap()
            .license;
        assert!(run(&suspended, &draft("2025-03-20", "10", "Trial")).is_ok());
    }

    #[test]
    fn uninstalled_is_neither_editable_nor_choosable() {
        let mut l = license();
        assert_eq!(
            run(&l, &draft("2025-12-31", "10", "Uninstalled")).unwrap_err(),
            ModifyLicenseError::StatusUninstalled
        );
        l.status = LicenseStatus::Uninstalled;
        assert_eq!(
            run(&l, &draft("2025-12-31", "10", "Active")).unwrap_err(),
            ModifyLicenseError::Uninstalled
        );
    }

    #[test]
    fn locked_orgs_get_the_proxy_user_explanation() {
        for org_status in [OrgStatus::Suspended, OrgStatus::Deleted] {
            let mut l = license();
            l.org_status = org_status;
            let err = run(&l, &draft("2025-12-31", "10", "Active")).unwrap_err();
            assert_eq!(err, ModifyLicenseError::OrgLocked { org_status });
            let text = err.to_string();
            assert!(text.contains("proxy user has deactivated"));
            assert!(text.contains("locked, deleted or disabled"));
            assert!(text.contains("reinstall"));
        }
        let mut free = license();
        free.org_status = OrgStatus::Free;
        assert!(run(&free, &draft("2025-12-31", "10", "Active")).is_ok());
    }

    #[test]
    fn permission_is_checked_first() {
        let l = license();
        for profile in [Profile::SalesRep, Profile::ReadOnly] {
            let err = modify_license(
                &l,
                &draft("2025-12-31", "10", "Active"),
                &user(profile),
                today(),
                now(),
                &mut Sequences::default(),
            )
            .unwrap_err();
            assert!(matches!(err, ModifyLicenseError::Permission(_)));
        }
        let admin = user(Profile::SystemAdministrator);
        assert!(modify_license(
            &l,
            &draft("2025-12-31", "10", "Active"),
            &admin,
            today(),
            now(),
            &mut Sequences::default()
        )
        .is_ok());
    }

    #[test]
    fn seats_below_used_saves_with_a_warning() {
        let l = license(); // 4 used
        let out = run(&l, &draft("2025-12-31", "3", "Active")).unwrap();
        assert_eq!(out.license.available_seats(), Some(-1));
        assert_eq!(
            out.warnings,
            vec![LicenseWarning::SeatsBelowUsed { seats: 3, used: 4 }]
        );
    }

    #[test]
    fn history_records_only_changed_fields() {
        let l = license();
        let unchanged = run(&l, &ModifyLicenseDraft::from_license(&l)).unwrap();
        assert!(unchanged.history.is_empty());
        assert_eq!(unchanged.license, l);

        let out = run(&l, &draft("2025-12-31", "25", "Suspended")).unwrap();
        let fields: Vec<_> = out.history.iter().map(|h| h.field).collect();
        assert_eq!(fields, vec![HistoryField::Seats, HistoryField::Status]);
        let seats = &out.history[0];
        assert_eq!(
            (seats.old_value.as_str(), seats.new_value.as_str()),
            ("10", "25")
        );
        assert_eq!(seats.by, manager().id);
        assert_eq!(seats.at, now());
        assert_eq!(seats.license_id, l.id);
        assert_ne!(out.history[0].id, out.history[1].id);
        assert_eq!(out.license.last_modified, Stamp::user(&manager().id, now()));
    }

    #[test]
    fn all_field_errors_are_reported_together() {
        let l = license();
        let errors =
            modify_license_errors(&l, &draft("yesterday", "0", "Gone"), &manager(), today());
        let fields: Vec<_> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(fields, vec![Field::Expiration, Field::Seats, Field::Status]);
        assert!(modify_license_errors(
            &l,
            &draft("2025-12-31", "1", "active"),
            &manager(),
            today()
        )
        .is_empty());
    }

    proptest! {
        #[test]
        fn no_draft_panics(
            expiration_date in "\\PC*",
            does_not_expire in any::<bool>(),
            seats in "\\PC*",
            site_license in any::<bool>(),
            status in "\\PC*",
        ) {
            let d = ModifyLicenseDraft { expiration_date, does_not_expire, seats, site_license, status };
            let _ = run(&license(), &d);
            let _ = run(&trial_license(), &d);
            let _ = modify_license(&license(), &d, &manager(), NaiveDate::MAX, now(), &mut Sequences::default());
        }
    }
}
