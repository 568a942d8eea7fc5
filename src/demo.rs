//! Demo data: a realistic License Management App, built by replaying a
//! history of events through the domain's own workflows (upload, register,
//! install, upgrade, Used Licenses, uninstall, org status, Modify License,
//! Convert Lead, alert rules), so every record obeys every rule.
//!
//! [`build_demo_data`] is pure and deterministic: the same `today`, `now` and
//! size always give the same records (a fixed-seed generator, no clock).
//! [`load_demo_data`] replaces whatever the repository holds with them in
//! one atomic batch; [`reset`] clears every store.
//!
//! The story, relative to `today`:
//! * **Invoice Pro** (Free Trial 30 days, 10 seats; Lead Manager Jordan
//!   Lee): trials, purchases (Modify License to Active), extended trials,
//!   suspended licenses, uninstalls; a 2.2.0 beta in sandboxes.
//! * **FieldForce Scheduler** (Active, does not expire, site-wide; no Lead
//!   Manager, so the License Management App owns its leads).
//! * **Contract Vault** (Active 365 days, 25 seats; Lead Manager Dana
//!   Whitfield, deactivated 12 days ago): renewals, a license whose seats
//!   were cut below its Used Licenses, and the installs since Dana left
//!   **failed**.
//! * **Survey Genie**, uploaded but never registered: its installs are
//!   **pending** until it is registered and its licenses refreshed.
//! * One org **Suspended**, one **Deleted**; trials expiring within 7 and 30
//!   days; converted leads with their accounts and contacts; alert rules.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::{
    add_days, convert_lead, modify_license, new_alert_rule, register_package, seed_users, Account,
    AlertRule, AlertRuleDraft, Contact, HistoryEntry, InstallEvent, InstallInput, Installer,
    KeyPrefix, Lead, License, LicenseStatus, ModifyLicenseDraft, OrgStatus, Package, PackageDraft,
    PackageVersion, PackageVersionDraft, Profile, RegistrationDraft, Sequences, SfId,
    SubscriberOrg, User,
};
use crate::services::install::{plan_install, plan_org_status, plan_uninstall, plan_used_licenses};
use crate::storage::{Record, Repository, StorageError, StoreName, WriteBatch};

/// How much demo data to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoSize {
    /// About 200 installs: the demo for a prospect.
    Normal,
    /// 10,000 licenses, for performance work.
    Large10k,
    /// 100,000 licenses, for performance work.
    Large100k,
}

impl DemoSize {
    pub const ALL: [DemoSize; 3] = [DemoSize::Normal, DemoSize::Large10k, DemoSize::Large100k];

    /// Licenses created by installs (pending and failed installs add none).
    pub fn licenses(self) -> usize {
        match self {
            DemoSize::Normal => 190,
            DemoSize::Large10k => 10_000,
            DemoSize::Large100k => 100_000,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DemoSize::Normal => "Normal (about 200 installs)",
            DemoSize::Large10k => "Large (10,000 licenses)",
            DemoSize::Large100k => "Very large (100,000 licenses)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            DemoSize::Normal => "normal",
            DemoSize::Large10k => "10k",
            DemoSize::Large100k => "100k",
        }
    }

    pub fn from_key(key: &str) -> Option<DemoSize> {
        DemoSize::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Every record of the demo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoData {
    pub users: Vec<User>,
    pub packages: Vec<Package>,
    pub versions: Vec<PackageVersion>,
    pub licenses: Vec<License>,
    pub leads: Vec<Lead>,
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub history: Vec<HistoryEntry>,
    pub installs: Vec<InstallEvent>,
    pub alert_rules: Vec<AlertRule>,
    pub sequences: Sequences,
    /// Workflows the domain refused while building: always empty (the
    /// tests check), kept so a refused step is visible instead of panicking.
    pub refused: Vec<String>,
}

impl DemoData {
    /// How many records of every kind, for the "loaded" message.
    pub fn record_count(&self) -> usize {
        self.packages.len()
            + self.versions.len()
            + self.licenses.len()
            + self.leads.len()
            + self.accounts.len()
            + self.contacts.len()
            + self.history.len()
            + self.installs.len()
            + self.alert_rules.len()
    }
}

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next() % span) as i64
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // Callers pass non-empty constant lists.
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut n = self.next() % total.max(1);
        for (item, w) in items {
            if n < *w {
                return item;
            }
            n -= w;
        }
        &items[0].0
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const FIRST_NAMES: [&str; 40] = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Radia",
    "Tim",
    "Frances",
    "Guido",
    "Hedy",
    "Donald",
    "Shafi",
    "Vint",
    "Adele",
    "Edsger",
    "Anita",
    "Niklaus",
    "Karen",
    "Bjarne",
    "Sophie",
    "John",
    "Jean",
    "Leslie",
    "Lynn",
    "Mary",
    "Carlos",
    "Aiko",
    "Mateo",
    "Priyanka",
    "Olu",
    "Ingrid",
    "Tomasz",
    "Mei",
    "Fatima",
    "Lars",
    "Noor",
];

const LAST_NAMES: [&str; 40] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Fischer",
    "Novak",
    "Haddad",
    "Ramirez",
    "Brennan",
    "Kowalski",
    "Nakamura",
    "Petrov",
    "Jensen",
    "Alvarez",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Kim",
    "Patel",
    "Mensah",
    "Walsh",
    "Costa",
    "Berg",
    "Suzuki",
    "Horvat",
    "Silva",
    "Murphy",
    "Yilmaz",
    "Nguyen",
    "Andersen",
    "Varga",
    "Ito",
    "Castillo",
    "Weber",
    "Laine",
    "Abara",
    "Quinn",
    "Sato",
    "Farouk",
    "Hughes",
];

const COMPANY_FIRST: [&str; 30] = [
    "Northwind",
    "Bluegate",
    "Harborview",
    "Ironwood",
    "Summit Ridge",
    "Cedar Point",
    "Brightwater",
    "Redfern",
    "Silverline",
    "Oakmont",
    "Clearpath",
    "Westbrook",
    "Granite Peak",
    "Lakeshore",
    "Evergreen",
    "Copperfield",
    "Riverstone",
    "Highland",
    "Maple Grove",
    "Stonebridge",
    "Aurora",
    "Pinecrest",
    "Bayside",
    "Meridian",
    "Fairhaven",
    "Crescent",
    "Driftwood",
    "Foxglove",
    "Kestrel",
    "Larkspur",
];

const COMPANY_SECOND: [&str; 20] = [
    "Logistics",
    "Health",
    "Financial",
    "Manufacturing",
    "Energy",
    "Software",
    "Foods",
    "Insurance",
    "Retail",
    "Analytics",
    "Construction",
    "Media",
    "Pharma",
    "Telecom",
    "Consulting",
    "Realty",
    "Aerospace",
    "Outfitters",
    "Labs",
    "Partners",
];

const LEGAL: [&str; 8] = ["Inc.", "LLC", "Ltd", "GmbH", "Group", "Co.", "S.A.", "AB"];

const EDITIONS: [(&str, u64); 5] = [
    ("Enterprise", 35),
    ("Professional", 20),
    ("Unlimited", 15),
    ("Performance", 8),
    ("Developer", 12),
];

const INSTANCES: [&str; 8] = [
    "NA45", "NA112", "NA139", "EU27", "EU44", "AP16", "USA204", "UK12",
];
const SANDBOX_INSTANCES: [&str; 3] = ["CS42", "CS87", "CS194"];

// ---------------------------------------------------------------------------
// The packages
// ---------------------------------------------------------------------------

const INVOICE_PRO: usize = 0;
const FIELDFORCE: usize = 1;
const CONTRACT_VAULT: usize = 2;
const SURVEY_GENIE: usize = 3;

#[derive(Clone, Copy)]
enum LeadManager {
    None,
    /// Jordan Lee, the active License Manager.
    Jordan,
    /// Dana Whitfield: Lead Manager while active, deactivated since.
    Dana,
}

struct PackageSpec {
    name: &'static str,
    developer: &'static str,
    /// (version, beta, released days ago)
    versions: &'static [(&'static str, bool, i64)],
    /// (status, length in days or "" for does not expire, seats or "" for site-wide)
    default: Option<(&'static str, &'static str, &'static str)>,
    lead_manager: LeadManager,
}

const PACKAGES: [PackageSpec; 4] = [
    PackageSpec {
        name: "Invoice Pro",
        developer: "Invoice Pro Development",
        versions: &[
            ("1.0.0", false, 700),
            ("1.1.0", false, 520),
            ("1.2.3", false, 360),
            ("2.0.0", false, 200),
            ("2.1.0", false, 75),
            ("2.2.0", true, 10),
        ],
        default: Some(("Free Trial", "30", "10")),
        lead_manager: LeadManager::Jordan,
    },
    PackageSpec {
        name: "FieldForce Scheduler",
        developer: "FieldForce Packaging Org",
        versions: &[
            ("3.0.0", false, 600),
            ("3.1.0", false, 400),
            ("3.2.1", false, 150),
            ("3.10.0", false, 40),
        ],
        default: Some(("Active", "", "")),
        lead_manager: LeadManager::None,
    },
    PackageSpec {
        name: "Contract Vault",
        developer: "Contract Vault Dev Hub",
        versions: &[
            ("1.0.0", false, 500),
            ("1.1.0", false, 300),
            ("1.2.0", false, 120),
            ("1.3.0", false, 30),
        ],
        default: Some(("Active", "365", "25")),
        lead_manager: LeadManager::Dana,
    },
    PackageSpec {
        name: "Survey Genie",
        developer: "Survey Genie Labs",
        versions: &[("0.9.0", true, 60), ("1.0.0", false, 25)],
        default: None,
        lead_manager: LeadManager::None,
    },
];

/// `install_story`'s `until_days_ago` for a story without upgrades.
const NO_UPGRADES: i64 = 100_000;

/// Dana Whitfield, Contract Vault's Lead Manager, was deactivated this many
/// days ago; Contract Vault installs since then fail.
const DANA_LEFT_DAYS_AGO: i64 = 12;

// ---------------------------------------------------------------------------
// The history to replay
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Who {
    Admin,
    Manager,
    SalesRep,
}

#[derive(Clone, Copy)]
enum Change {
    /// Trial bought: Active, these seats, a year (or does not expire).
    Purchase { seats: u32, does_not_expire: bool },
    /// Unpaid: Suspended, nothing else changed.
    Suspend,
    /// Trial extended to `days` after install.
    ExtendTrial { days: u64 },
    /// Another year, and possibly more seats.
    Renew { seats: Option<u32> },
    /// Seats set (below the users already assigned, in the demo's case).
    Seats(u32),
}

#[derive(Clone, Copy)]
enum Step {
    Install {
        org: usize,
        pkg: usize,
        version: usize,
    },
    Uninstall {
        org: usize,
        pkg: usize,
    },
    Used {
        org: usize,
        pkg: usize,
        used: u32,
    },
    OrgStatus {
        org: usize,
        status: OrgStatus,
    },
    Modify {
        org: usize,
        pkg: usize,
        by: Who,
        change: Change,
    },
    Convert {
        org: usize,
        pkg: usize,
        by: Who,
    },
}

struct Scheduled {
    at: NaiveDateTime,
    order: usize,
    step: Step,
}

struct Org {
    org: SubscriberOrg,
    installer: Installer,
}

struct Builder {
    today: NaiveDate,
    rng: Rng,
    seq: Sequences,
    users: Vec<User>,
    packages: Vec<Package>,
    /// Versions per package, in release order.
    versions: Vec<Vec<PackageVersion>>,
    orgs: Vec<Org>,
    taken_ids: HashSet<String>,
    company_order: Vec<usize>,
    schedule: Vec<Scheduled>,
    /// (org, package) pairs that already have a story: one license each.
    stories: HashSet<(usize, usize)>,
    licenses: Vec<License>,
    license_of: HashMap<(usize, usize), usize>,
    org_licenses: HashMap<usize, Vec<usize>>,
    leads: Vec<Lead>,
    lead_index: HashMap<SfId, usize>,
    /// The licenses of each lead, by index.
    lead_licenses: HashMap<SfId, Vec<usize>>,
    accounts: Vec<Account>,
    contacts: Vec<Contact>,
    history: Vec<HistoryEntry>,
    installs: Vec<InstallEvent>,
    refused: Vec<String>,
}

impl Builder {
    fn new(today: NaiveDate, seed: u64) -> Builder {
        let mut rng = Rng(seed);
        let combos = COMPANY_FIRST.len() * COMPANY_SECOND.len();
        let mut company_order: Vec<usize> = (0..combos).collect();
        for i in (1..company_order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            company_order.swap(i, j);
        }
        Builder {
            today,
            rng,
            seq: Sequences::default(),
            users: seed_users(),
            packages: Vec::new(),
            versions: Vec::new(),
            orgs: Vec::new(),
            taken_ids: HashSet::new(),
            company_order,
            schedule: Vec::new(),
            stories: HashSet::new(),
            licenses: Vec::new(),
            license_of: HashMap::new(),
            org_licenses: HashMap::new(),
            leads: Vec::new(),
            lead_index: HashMap::new(),
            lead_licenses: HashMap::new(),
            accounts: Vec::new(),
            contacts: Vec::new(),
            history: Vec::new(),
            installs: Vec::new(),
            refused: Vec::new(),
        }
    }

    fn user(&self, who: Who) -> User {
        let profile = match who {
            Who::Admin => Profile::SystemAdministrator,
            Who::Manager => Profile::LicenseManager,
            Who::SalesRep => Profile::SalesRep,
        };
        self.users
            .iter()
            .find(|u| u.active && u.profile == profile)
            .or_else(|| self.users.first())
            .cloned()
            .unwrap_or_else(|| seed_users().swap_remove(0))
    }

    /// Dana Whitfield as she is (inactive) or was (active) at `at`.
    fn dana(&self, at: NaiveDateTime) -> Option<User> {
        let dana = self.users.iter().find(|u| !u.active)?.clone();
        let left = self.day(DANA_LEFT_DAYS_AGO);
        Some(User {
            active: at.date() < left,
            ..dana
        })
    }

    fn day(&self, days_ago: i64) -> NaiveDate {
        self.today - Duration::days(days_ago)
    }

    /// A time on the day `days_ago` before today, during office hours.
    fn at(&mut self, days_ago: i64) -> NaiveDateTime {
        let minutes = self.rng.range(7 * 60, 19 * 60 + 59) as u32;
        let time =
            NaiveTime::from_hms_opt(minutes / 60, minutes % 60, self.rng.range(0, 59) as u32)
                .unwrap_or(NaiveTime::MIN);
        self.day(days_ago.max(1)).and_time(time)
    }

    /// A time on a random day between `lo` and `hi` days ago.
    fn at_between(&mut self, lo: i64, hi: i64) -> NaiveDateTime {
        let days_ago = self.rng.range(lo, hi);
        self.at(days_ago)
    }

    /// A unique, realistic-looking 15-character ID: `prefix`, a fixed
    /// `lead` and random base-62 characters. The lead never starts with `0`,
    /// so it can't collide with the sequential IDs the app generates.
    fn random_id(&mut self, prefix: KeyPrefix, lead: &str) -> SfId {
        loop {
            let mut body = format!("{}{lead}", prefix.code());
            while body.len() < 15 {
                body.push(char::from(BASE62[(self.rng.next() % 62) as usize]));
            }
            if self.taken_ids.insert(body.clone()) {
                if let Ok(id) = SfId::parse(&body) {
                    return id;
                }
            }
        }
    }

    fn schedule(&mut self, at: NaiveDateTime, step: Step) {
        let order = self.schedule.len();
        self.schedule.push(Scheduled { at, order, step });
    }

    // ---- packages ----

    fn upload_and_register(&mut self) {
        let admin = self.user(Who::Admin);
        for spec in PACKAGES.iter() {
            let first_release = spec.versions.iter().map(|v| v.2).max().unwrap_or(30);
            let uploaded = self.at(first_release + 3);
            let package_id = self.random_id(KeyPrefix::Package, "A00000");
            let dev_org = self.random_id(KeyPrefix::Org, "A0000");
            let draft = PackageDraft {
                name: spec.name.to_string(),
                package_id: package_id.to18().to_string(),
                developer_name: spec.developer.to_string(),
                developer_org_id: dev_org.to18().to_string(),
                release_date: self.day(first_release).format("%Y-%m-%d").to_string(),
            };
            let mut package = match Package::from_draft(&draft, uploaded) {
                Ok(p) => p,
                Err(e) => {
                    self.refused.push(format!("package {}: {e}", spec.name));
                    continue;
                }
            };
            let mut versions = Vec::new();
            for (number, beta, days_ago) in spec.versions {
                let id = self.random_id(KeyPrefix::PackageVersion, "5e0000");
                let vdraft = PackageVersionDraft {
                    version_id: id.to18().to_string(),
                    package_id: package.id.to18().to_string(),
                    name: spec.name.to_string(),
                    version: (*number).to_string(),
                    beta: *beta,
                    release_date: self.day(*days_ago).format("%Y-%m-%d").to_string(),
                };
                match PackageVersion::try_from(&vdraft) {
                    Ok(v) => versions.push(v),
                    Err(e) => self.refused.push(format!("version {number}: {e}")),
                }
            }
            if let Some((status, days, seats)) = spec.default {
                let rdraft = RegistrationDraft {
                    status: status.to_string(),
                    length_days: days.to_string(),
                    does_not_expire: days.is_empty(),
                    seats: seats.to_string(),
                    site_wide: seats.is_empty(),
                };
                let registered_at = self.at(first_release + 1);
                match register_package(&package, &rdraft, &admin, registered_at) {
                    Ok(p) => package = p,
                    Err(e) => self.refused.push(format!("register {}: {e}", spec.name)),
                }
                let manager = match spec.lead_manager {
                    LeadManager::None => None,
                    LeadManager::Jordan => Some(self.user(Who::Manager)),
                    LeadManager::Dana => self.dana(registered_at),
                };
                if let Some(manager) = manager {
                    match package.edit_lead_manager(Some(&manager), &admin, registered_at) {
                        Ok(p) => package = p,
                        Err(e) => self
                            .refused
                            .push(format!("lead manager {}: {e}", spec.name)),
                    }
                }
            }
            self.packages.push(package);
            self.versions.push(versions);
        }
    }

    /// The newest version of `pkg` released before `days_ago`, skipping
    /// betas unless `beta_ok`.
    fn version_at(&self, pkg: usize, days_ago: i64, beta_ok: bool) -> Option<usize> {
        let spec = PACKAGES.get(pkg)?;
        spec.versions
            .iter()
            .enumerate()
            .filter(|(_, (_, beta, released))| *released > days_ago && (beta_ok || !beta))
            .max_by_key(|(_, (_, _, released))| -released)
            .map(|(i, _)| i)
    }

    // ---- orgs ----

    fn new_org(&mut self, sandbox: bool) -> usize {
        let n = self.orgs.len();
        let combos = self.company_order.len();
        let combo = self.company_order.get(n % combos).copied().unwrap_or(0);
        let first = COMPANY_FIRST[combo / COMPANY_SECOND.len() % COMPANY_FIRST.len()];
        let second = COMPANY_SECOND[combo % COMPANY_SECOND.len()];
        let round = n / combos;
        let (name, domain) = if round == 0 {
            (
                format!("{first} {second}"),
                format!("{}{}", slug(first), slug(second)),
            )
        } else {
            (
                format!("{first} {second} {}", round + 1),
                format!("{}{}{}", slug(first), slug(second), round + 1),
            )
        };
        let legal = *self.rng.pick(&LEGAL);
        let edition = *self.rng.weighted(&EDITIONS);
        let instance = if sandbox {
            *self.rng.pick(&SANDBOX_INSTANCES)
        } else {
            *self.rng.pick(&INSTANCES)
        };
        let lead = *self.rng.pick(&["5g0", "8c0", "Hn0", "j00", "Dp0", "4x0"]);
        let org_id = self.random_id(KeyPrefix::Org, lead);
        let first_name = *self.rng.pick(&FIRST_NAMES);
        let last_name = *self.rng.pick(&LAST_NAMES);
        let tld = *self.rng.pick(&["com", "com", "io", "co.uk", "de", "net"]);
        let status = if edition == "Developer" {
            OrgStatus::Free
        } else if !sandbox && self.rng.chance(10) {
            OrgStatus::Trial
        } else {
            OrgStatus::Active
        };
        self.orgs.push(Org {
            org: SubscriberOrg {
                org_id,
                org_name: if sandbox {
                    format!("{name} (UAT sandbox)")
                } else {
                    name.clone()
                },
                edition: edition.to_string(),
                instance: instance.to_string(),
                status,
                org_expiration_date: None,
                sandbox,
            },
            installer: Installer {
                first_name: first_name.to_string(),
                last_name: last_name.to_string(),
                company: format!("{name} {legal}"),
                email: format!(
                    "{}.{}@{domain}.{tld}",
                    first_name.to_lowercase(),
                    last_name.to_lowercase()
                ),
            },
        });
        n
    }

    // ---- stories ----

    /// Installs `pkg` into `org` `d` days ago, then upgrades to later
    /// versions now and then (before `until_days_ago`, when the story ends
    /// it with an uninstall).
    fn install_story(&mut self, org: usize, pkg: usize, d: i64, until_days_ago: i64) -> Option<()> {
        let sandbox = self.orgs.get(org)?.org.sandbox;
        let version = self.version_at(pkg, d, sandbox)?;
        let at = self.at(d);
        self.schedule(at, Step::Install { org, pkg, version });
        let spec = PACKAGES.get(pkg)?;
        let mut last_day = d;
        for (i, (_, beta, released)) in spec.versions.iter().enumerate().skip(version + 1) {
            if *beta && !sandbox {
                continue;
            }
            let earliest = (*released).min(last_day) - 1;
            if earliest <= until_days_ago.max(1) || !self.rng.chance(55) {
                continue;
            }
            let day = self
                .rng
                .range((earliest - 45).max(until_days_ago.max(1) + 1), earliest);
            let at = self.at(day);
            self.schedule(
                at,
                Step::Install {
                    org,
                    pkg,
                    version: i,
                },
            );
            last_day = day;
        }
        Some(())
    }

    fn invoice_pro_story(&mut self, org: usize, d: i64) {
        let sandbox = self.orgs.get(org).is_some_and(|o| o.org.sandbox);
        if d <= 30 {
            let _ = self.install_story(org, INVOICE_PRO, d, 0);
            if !sandbox && d > 2 && self.rng.chance(40) {
                let used = self.rng.range(1, 10) as u32;
                let at = self.at_between(1, d - 1);
                self.schedule(
                    at,
                    Step::Used {
                        org,
                        pkg: INVOICE_PRO,
                        used,
                    },
                );
            }
            return;
        }
        match self.rng.range(0, 99) {
            0..=44 => {
                let _ = self.install_story(org, INVOICE_PRO, d, 0);
                // Bought after the trial: Active, more seats, a year.
                let p = d - self.rng.range(10, 28);
                let seats = if sandbox {
                    0
                } else {
                    *self.rng.pick(&[10, 15, 20, 25, 50, 100, 250])
                };
                let does_not_expire = self.rng.chance(15);
                let at = self.at(p);
                self.schedule(
                    at,
                    Step::Modify {
                        org,
                        pkg: INVOICE_PRO,
                        by: Who::Manager,
                        change: Change::Purchase {
                            seats,
                            does_not_expire,
                        },
                    },
                );
                if self.rng.chance(60) {
                    let at = self.at(p);
                    self.schedule(
                        at,
                        Step::Convert {
                            org,
                            pkg: INVOICE_PRO,
                            by: Who::SalesRep,
                        },
                    );
                }
                if seats > 0 && p > 2 {
                    let used = self.rng.range(i64::from(seats) / 3, i64::from(seats)) as u32;
                    let at = self.at_between(1, p - 1);
                    self.schedule(
                        at,
                        Step::Used {
                            org,
                            pkg: INVOICE_PRO,
                            used,
                        },
                    );
                }
                // Unpaid: suspended while the license still runs.
                let earliest = if does_not_expire { 1 } else { (p - 364).max(1) };
                if p - 30 >= earliest && self.rng.chance(18) {
                    let at = self.at_between(earliest, p - 30);
                    self.schedule(
                        at,
                        Step::Modify {
                            org,
                            pkg: INVOICE_PRO,
                            by: Who::Manager,
                            change: Change::Suspend,
                        },
                    );
                }
            }
            45..=64 => {
                // The trial simply ran out.
                let _ = self.install_story(org, INVOICE_PRO, d, 0);
            }
            65..=74 => {
                let _ = self.install_story(org, INVOICE_PRO, d, 0);
                let at = self.at(d - 25);
                self.schedule(
                    at,
                    Step::Modify {
                        org,
                        pkg: INVOICE_PRO,
                        by: Who::Manager,
                        change: Change::ExtendTrial { days: 60 },
                    },
                );
            }
            _ => {
                let gone = d - self.rng.range(3, 29);
                let _ = self.install_story(org, INVOICE_PRO, d, gone);
                let at = self.at(gone);
                self.schedule(
                    at,
                    Step::Uninstall {
                        org,
                        pkg: INVOICE_PRO,
                    },
                );
            }
        }
    }

    fn fieldforce_story(&mut self, org: usize, d: i64) {
        let gone = if d > 20 && self.rng.chance(15) {
            self.rng.range(1, d - 10)
        } else {
            0
        };
        let _ = self.install_story(org, FIELDFORCE, d, gone);
        if gone > 0 {
            let at = self.at(gone);
            self.schedule(
                at,
                Step::Uninstall {
                    org,
                    pkg: FIELDFORCE,
                },
            );
        } else if d > 3 && self.rng.chance(25) {
            let at = self.at_between(1, d - 1);
            self.schedule(
                at,
                Step::Convert {
                    org,
                    pkg: FIELDFORCE,
                    by: Who::SalesRep,
                },
            );
        }
    }

    fn contract_vault_story(&mut self, org: usize, d: i64) {
        let sandbox = self.orgs.get(org).is_some_and(|o| o.org.sandbox);
        let gone = if d > 30 && self.rng.chance(12) {
            self.rng.range(DANA_LEFT_DAYS_AGO + 1, d - 10).max(1)
        } else {
            0
        };
        let _ = self.install_story(org, CONTRACT_VAULT, d, gone);
        if !sandbox && d > 2 {
            let used = self.rng.range(3, 25) as u32;
            let at = self.at_between(d - 10.min(d - 1), d - 1);
            self.schedule(
                at,
                Step::Used {
                    org,
                    pkg: CONTRACT_VAULT,
                    used,
                },
            );
        }
        if gone > 0 {
            let at = self.at(gone);
            self.schedule(
                at,
                Step::Uninstall {
                    org,
                    pkg: CONTRACT_VAULT,
                },
            );
            return;
        }
        if d > 300 && d - 340 >= 1 && self.rng.chance(55) {
            let seats = (!sandbox && self.rng.chance(40)).then_some(40);
            let at = self.at(d - 340);
            self.schedule(
                at,
                Step::Modify {
                    org,
                    pkg: CONTRACT_VAULT,
                    by: Who::Manager,
                    change: Change::Renew { seats },
                },
            );
        } else if d > 60 && (d - 364).max(1) <= d - 30 && self.rng.chance(5) {
            // Suspended while the license still runs (a past expiration
            // date can't be saved by Modify License).
            let at = self.at_between((d - 364).max(1), d - 30);
            self.schedule(
                at,
                Step::Modify {
                    org,
                    pkg: CONTRACT_VAULT,
                    by: Who::Admin,
                    change: Change::Suspend,
                },
            );
        }
        if d > 5 && self.rng.chance(35) {
            let at = self.at_between(1, d - 2);
            self.schedule(
                at,
                Step::Convert {
                    org,
                    pkg: CONTRACT_VAULT,
                    by: Who::Manager,
                },
            );
        }
    }

    /// The cases every demo shows, whatever its size. Returns how many
    /// licenses they create.
    fn special_stories(&mut self) -> usize {
        // Seats cut below Used Licenses: -4 available.
        let org = self.new_org(false);
        let _ = self.install_story(org, CONTRACT_VAULT, 200, NO_UPGRADES);
        let at = self.at(190);
        self.schedule(
            at,
            Step::Used {
                org,
                pkg: CONTRACT_VAULT,
                used: 22,
            },
        );
        let at = self.at(50);
        self.schedule(
            at,
            Step::Modify {
                org,
                pkg: CONTRACT_VAULT,
                by: Who::Manager,
                change: Change::Seats(18),
            },
        );

        // An org with two packages, suspended 6 days ago (Modify License
        // then explains that the proxy user has deactivated).
        let org = self.new_org(false);
        if let Some(o) = self.orgs.get_mut(org) {
            o.org.status = OrgStatus::Active;
            o.org.edition = "Enterprise".into();
        }
        let _ = self.install_story(org, CONTRACT_VAULT, 250, NO_UPGRADES);
        let _ = self.install_story(org, INVOICE_PRO, 240, NO_UPGRADES);
        let at = self.at(220);
        self.schedule(
            at,
            Step::Modify {
                org,
                pkg: INVOICE_PRO,
                by: Who::Manager,
                change: Change::Purchase {
                    seats: 50,
                    does_not_expire: false,
                },
            },
        );
        let at = self.at(6);
        self.schedule(
            at,
            Step::OrgStatus {
                org,
                status: OrgStatus::Suspended,
            },
        );

        // A deleted org.
        let org = self.new_org(false);
        let _ = self.install_story(org, FIELDFORCE, 300, NO_UPGRADES);
        let at = self.at(20);
        self.schedule(
            at,
            Step::OrgStatus {
                org,
                status: OrgStatus::Deleted,
            },
        );

        // Trials expiring within 7 days (4 and 6 days left) and 30 days (18).
        for d in [26, 24, 12] {
            let org = self.new_org(false);
            let _ = self.install_story(org, INVOICE_PRO, d, NO_UPGRADES);
        }
        // A Contract Vault license expiring in 13 days, not renewed yet.
        let org = self.new_org(false);
        let _ = self.install_story(org, CONTRACT_VAULT, 352, NO_UPGRADES);
        let at = self.at(340);
        self.schedule(
            at,
            Step::Used {
                org,
                pkg: CONTRACT_VAULT,
                used: 20,
            },
        );

        // A sandbox with the Invoice Pro beta: a Site License.
        let org = self.new_org(true);
        let _ = self.install_story(org, INVOICE_PRO, 5, NO_UPGRADES);

        // A purchased, then suspended (unpaid) license.
        let org = self.new_org(false);
        let _ = self.install_story(org, INVOICE_PRO, 150, NO_UPGRADES);
        let at = self.at(130);
        self.schedule(
            at,
            Step::Modify {
                org,
                pkg: INVOICE_PRO,
                by: Who::Manager,
                change: Change::Purchase {
                    seats: 25,
                    does_not_expire: false,
                },
            },
        );
        let at = self.at(60);
        self.schedule(
            at,
            Step::Modify {
                org,
                pkg: INVOICE_PRO,
                by: Who::Manager,
                change: Change::Suspend,
            },
        );

        // A converted lead (account and contact) on an uninstalled license.
        let org = self.new_org(false);
        let _ = self.install_story(org, FIELDFORCE, 210, NO_UPGRADES);
        let at = self.at(200);
        self.schedule(
            at,
            Step::Convert {
                org,
                pkg: FIELDFORCE,
                by: Who::SalesRep,
            },
        );
        let at = self.at(45);
        self.schedule(
            at,
            Step::Uninstall {
                org,
                pkg: FIELDFORCE,
            },
        );

        // Installs since Dana Whitfield was deactivated: failed, no license.
        for d in [10, 7, 3] {
            let org = self.new_org(false);
            let _ = self.install_story(org, CONTRACT_VAULT, d, NO_UPGRADES);
        }
        // Survey Genie isn't registered: pending installs.
        for (d, sandbox) in [(40, true), (15, false), (4, false)] {
            let org = self.new_org(sandbox);
            let _ = self.install_story(org, SURVEY_GENIE, d, NO_UPGRADES);
        }
        11
    }

    fn random_stories(&mut self, count: usize) {
        let mut made = 0;
        let mut previous: Option<(usize, usize)> = None;
        while made < count {
            let pkg =
                *self
                    .rng
                    .weighted(&[(INVOICE_PRO, 40), (FIELDFORCE, 30), (CONTRACT_VAULT, 30)]);
            // One org in seven also licenses a second package.
            let org = match previous {
                Some((org, _)) if !self.stories.contains(&(org, pkg)) && self.rng.chance(14) => org,
                _ => {
                    let sandbox = self.rng.chance(8);
                    self.new_org(sandbox)
                }
            };
            let d = match pkg {
                INVOICE_PRO => {
                    if self.rng.chance(25) {
                        self.rng.range(1, 30)
                    } else {
                        self.rng.range(31, 380)
                    }
                }
                FIELDFORCE => self.rng.range(1, 580),
                _ => self.rng.range(DANA_LEFT_DAYS_AGO + 1, 480),
            };
            match pkg {
                INVOICE_PRO => self.invoice_pro_story(org, d),
                FIELDFORCE => self.fieldforce_story(org, d),
                _ => self.contract_vault_story(org, d),
            }
            self.stories.insert((org, pkg));
            previous = Some((org, pkg));
            made += 1;
        }
    }

    fn alert_rules(&mut self) -> Vec<AlertRule> {
        let users = self.users.clone();
        let mut rules = Vec::new();
        for (days, who) in [(30, Who::SalesRep), (7, Who::Manager), (60, Who::Admin)] {
            let draft = AlertRuleDraft {
                days_before: days.to_string(),
                recipient: self.user(who).id.to18().to_string(),
            };
            match new_alert_rule(&draft, &users, &mut self.seq) {
                Ok(rule) => rules.push(rule),
                Err(e) => self.refused.push(format!("alert rule: {e}")),
            }
        }
        rules
    }

    // ---- replay ----

    /// Runs `steps` of the simulated history, in order.
    fn run(&mut self, steps: &[Scheduled]) {
        for s in steps {
            if let Err(e) = self.apply(s.at, s.step) {
                self.refused.push(format!("{}: {e}", s.at));
            }
        }
    }

    fn license_index(&self, org: usize, pkg: usize) -> Result<usize, String> {
        self.license_of
            .get(&(org, pkg))
            .copied()
            .ok_or_else(|| format!("org {org} has no license for package {pkg}"))
    }

    fn version_of(&self, license: &License) -> Option<(&Package, &PackageVersion)> {
        let pkg = self
            .packages
            .iter()
            .position(|p| p.id == license.package_id)?;
        let version = self
            .versions
            .get(pkg)?
            .iter()
            .find(|v| v.id == license.package_version_id)?;
        Some((self.packages.get(pkg)?, version))
    }

    fn record_result(&mut self, org: usize, pkg: usize, result: crate::domain::InstallResult) {
        if let Some(lead) = result.lead {
            self.lead_index.insert(lead.id.clone(), self.leads.len());
            self.leads.push(lead);
        }
        if let Some(license) = result.license {
            match self.license_of.get(&(org, pkg)) {
                Some(&i) => {
                    if let Some(slot) = self.licenses.get_mut(i) {
                        *slot = license;
                    }
                }
                None => {
                    let i = self.licenses.len();
                    if let Some(lead) = &license.lead_id {
                        self.lead_licenses.entry(lead.clone()).or_default().push(i);
                    }
                    self.license_of.insert((org, pkg), i);
                    self.org_licenses.entry(org).or_default().push(i);
                    self.licenses.push(license);
                }
            }
        }
        self.installs.push(result.event);
    }

    fn apply(&mut self, at: NaiveDateTime, step: Step) -> Result<(), String> {
        match step {
            Step::Install { org, pkg, version } => {
                let package = self.packages.get(pkg).ok_or("no package")?.clone();
                let version = self
                    .versions
                    .get(pkg)
                    .and_then(|vs| vs.get(version))
                    .ok_or("no version")?
                    .clone();
                let o = self.orgs.get(org).ok_or("no org")?;
                let mut subscriber = o.org.clone();
                let installer = o.installer.clone();
                if subscriber.status == OrgStatus::Trial {
                    subscriber.org_expiration_date = add_days(at.date(), 30);
                }
                let existing = self
                    .license_of
                    .get(&(org, pkg))
                    .and_then(|&i| self.licenses.get(i))
                    .cloned();
                let manager = match PACKAGES.get(pkg).map(|s| s.lead_manager) {
                    Some(LeadManager::Jordan) => Some(self.user(Who::Manager)),
                    Some(LeadManager::Dana) => self.dana(at),
                    _ => None,
                };
                let input = InstallInput {
                    org: subscriber,
                    installer: if existing.is_some() {
                        Installer::default()
                    } else {
                        installer
                    },
                    at,
                };
                let result = plan_install(
                    &package,
                    &version,
                    existing.as_ref(),
                    manager.as_ref(),
                    input,
                    &mut self.seq,
                )
                .map_err(|e| e.to_string())?;
                self.record_result(org, pkg, result);
            }
            Step::Uninstall { org, pkg } => {
                let i = self.license_index(org, pkg)?;
                let license = self.licenses.get(i).ok_or("no license")?.clone();
                let subscriber = self.orgs.get(org).ok_or("no org")?.org.clone();
                let (package, version) = self.version_of(&license).ok_or("no version")?;
                let (package, version) = (package.clone(), version.clone());
                let result =
                    plan_uninstall(&package, &version, &license, subscriber, at, &mut self.seq)
                        .map_err(|e| e.to_string())?;
                self.record_result(org, pkg, result);
            }
            Step::Used { org, pkg, used } => {
                let i = self.license_index(org, pkg)?;
                let license = self.licenses.get(i).ok_or("no license")?.clone();
                if license.status == LicenseStatus::Uninstalled || license.seats.is_site_license() {
                    return Ok(()); // Nothing to report: no seats are counted.
                }
                let used = license
                    .check_used_licenses(used)
                    .map_err(|e| e.to_string())?;
                let subscriber = self.orgs.get(org).ok_or("no org")?.org.clone();
                let (package, version) = self.version_of(&license).ok_or("no version")?;
                let (package, version) = (package.clone(), version.clone());
                let result = plan_used_licenses(
                    &package,
                    &version,
                    &license,
                    subscriber,
                    used,
                    at,
                    &mut self.seq,
                )
                .map_err(|e| e.to_string())?;
                self.record_result(org, pkg, result);
            }
            Step::OrgStatus { org, status } => {
                let subscriber = {
                    let o = self.orgs.get_mut(org).ok_or("no org")?;
                    o.org.status = status;
                    o.org.org_expiration_date = None;
                    o.org.clone()
                };
                let held: Vec<License> = self
                    .org_licenses
                    .get(&org)
                    .map(|ix| {
                        ix.iter()
                            .filter_map(|&i| self.licenses.get(i).cloned())
                            .collect()
                    })
                    .unwrap_or_default();
                let mut seq = self.seq.clone();
                let results =
                    plan_org_status(&held, subscriber, |l| self.version_of(l), at, &mut seq)
                        .map_err(|e| e.to_string())?;
                self.seq = seq;
                for r in results {
                    let pkg = self
                        .packages
                        .iter()
                        .position(|p| p.id == r.event.package_id)
                        .ok_or("no package")?;
                    self.record_result(org, pkg, r);
                }
            }
            Step::Modify {
                org,
                pkg,
                by,
                change,
            } => {
                let i = self.license_index(org, pkg)?;
                let license = self.licenses.get(i).ok_or("no license")?.clone();
                let mut draft = ModifyLicenseDraft::from_license(&license);
                let day = at.date();
                let year_from =
                    |d: NaiveDate| add_days(d, 365).map(|d| d.format("%Y-%m-%d").to_string());
                match change {
                    Change::Purchase {
                        seats,
                        does_not_expire,
                    } => {
                        draft.status = "Active".into();
                        if seats > 0 {
                            draft.seats = seats.to_string();
                            draft.site_license = false;
                        }
                        draft.does_not_expire = does_not_expire;
                        draft.expiration_date = year_from(day).unwrap_or_default();
                    }
                    Change::Suspend => draft.status = "Suspended".into(),
                    Change::ExtendTrial { days } => {
                        draft.expiration_date = add_days(license.install_date, days)
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default();
                        draft.does_not_expire = false;
                    }
                    Change::Renew { seats } => {
                        let from = license.expiration.date().unwrap_or(day).max(day);
                        draft.expiration_date = year_from(from).unwrap_or_default();
                        draft.does_not_expire = false;
                        if let Some(seats) = seats {
                            draft.seats = seats.to_string();
                        }
                    }
                    Change::Seats(n) => draft.seats = n.to_string(),
                }
                let actor = self.user(by);
                let outcome = modify_license(&license, &draft, &actor, day, at, &mut self.seq)
                    .map_err(|e| e.to_string())?;
                self.history.extend(outcome.history);
                if let Some(slot) = self.licenses.get_mut(i) {
                    *slot = outcome.license;
                }
            }
            Step::Convert { org, pkg, by } => {
                let i = self.license_index(org, pkg)?;
                let license = self.licenses.get(i).ok_or("no license")?;
                let lead_id = license.lead_id.clone().ok_or("no lead")?;
                let li = *self.lead_index.get(&lead_id).ok_or("lead not found")?;
                let lead = self.leads.get(li).ok_or("lead not found")?.clone();
                if lead.is_converted() {
                    return Ok(());
                }
                let indexes = self
                    .lead_licenses
                    .get(&lead_id)
                    .cloned()
                    .unwrap_or_default();
                let of_lead: Vec<License> = indexes
                    .iter()
                    .filter_map(|&i| self.licenses.get(i).cloned())
                    .collect();
                let actor = self.user(by);
                let conversion = convert_lead(&lead, of_lead, &actor, at, &mut self.seq)
                    .map_err(|e| e.to_string())?;
                for l in conversion.licenses {
                    let slot = indexes
                        .iter()
                        .find(|&&i| self.licenses.get(i).is_some_and(|x| x.id == l.id))
                        .copied();
                    if let Some(slot) = slot.and_then(|i| self.licenses.get_mut(i)) {
                        *slot = l;
                    }
                }
                if let Some(slot) = self.leads.get_mut(li) {
                    *slot = conversion.lead;
                }
                self.accounts.push(conversion.account);
                self.contacts.push(conversion.contact);
            }
        }
        Ok(())
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Builds the demo (pure and deterministic; see the module docs). `today`
/// should be `now`'s date.
pub fn build_demo_data(today: NaiveDate, now: NaiveDateTime, size: DemoSize) -> DemoData {
    let mut build = DemoBuild::new(today, now, size);
    while !build.advance(usize::MAX) {}
    build.finish()
}

/// The demo data built a slice at a time: [`advance`](DemoBuild::advance)
/// runs the next steps of the simulated history, so a page can paint and
/// take input between slices (the 100k demo's history is 289,000 steps,
/// over a second in one piece).
pub struct DemoBuild {
    builder: Builder,
    schedule: Vec<Scheduled>,
    next: usize,
}

impl DemoBuild {
    /// The stories of `size` licenses, their history not run yet.
    pub fn new(today: NaiveDate, now: NaiveDateTime, size: DemoSize) -> DemoBuild {
        let _ = now; // Every event happens on a day before today, so before now.
        let mut b = Builder::new(today, 0x4C49_4345_4E53_4544); // "LICENSED"
        b.upload_and_register();
        let special = b.special_stories();
        b.random_stories(size.licenses().saturating_sub(special));
        let mut schedule = std::mem::take(&mut b.schedule);
        crate::sort::sort_by_key(&mut schedule, |s| (s.at, s.order));
        DemoBuild {
            builder: b,
            schedule,
            next: 0,
        }
    }

    /// Runs up to `steps` more steps of the history; true once all have run.
    pub fn advance(&mut self, steps: usize) -> bool {
        let end = self.next.saturating_add(steps).min(self.schedule.len());
        if let Some(slice) = self.schedule.get(self.next..end) {
            self.builder.run(slice);
        }
        self.next = end;
        self.next >= self.schedule.len()
    }

    /// The records, once [`advance`](DemoBuild::advance) said all have run.
    pub fn finish(self) -> DemoData {
        self.builder.into_data()
    }
}

impl Builder {
    fn into_data(self) -> DemoData {
        let mut b = self;
        let alert_rules = b.alert_rules();
        let mut versions: Vec<PackageVersion> = b.versions.into_iter().flatten().collect();
        crate::sort::sort_by(&mut versions, |a, b| {
            (&a.package_id, a.version).cmp(&(&b.package_id, b.version))
        });
        DemoData {
            users: b.users,
            packages: b.packages,
            versions,
            licenses: b.licenses,
            leads: b.leads,
            accounts: b.accounts,
            contacts: b.contacts,
            history: b.history,
            installs: b.installs,
            alert_rules,
            sequences: b.seq,
            refused: b.refused,
        }
    }
}

// ---------------------------------------------------------------------------
// Loading and clearing
// ---------------------------------------------------------------------------

/// What [`load_demo_data`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub packages: usize,
    pub licenses: usize,
    pub leads: usize,
    pub installs: usize,
    pub records: usize,
}

/// A batch that empties every store but the ID counters first (Reset
/// empties those too; the demo overwrites them), in the same transaction as
/// its writes: nothing is read to be deleted (at 100,000
/// licenses that read took longer than the writes), damaged records go
/// too (loading the demo or resetting is a way out of damaged data), and a
/// reload half-way leaves the desk as it was.
fn replacing_batch() -> WriteBatch {
    let mut batch = WriteBatch::new();
    // Every store is emptied: the notice names stores, not records, anyway.
    batch.without_change_list();
    for store in StoreName::ALL {
        if store != StoreName::Counters {
            batch.clear_store(store);
        }
    }
    batch
}

fn put_all<T: Record>(batch: &mut WriteBatch, records: Vec<T>) {
    for r in records {
        batch.upsert(r);
    }
}

/// Replaces everything the repository holds with the demo data, in one
/// atomic batch (all of it is written, or nothing is). The seed users are
/// written too, so a browser whose users were edited gets the demo's.
pub async fn load_demo_data<R: Repository>(
    repo: &R,
    today: NaiveDate,
    now: NaiveDateTime,
    size: DemoSize,
) -> Result<DemoSummary, StorageError> {
    let data = build_demo_data_lazily(today, now, size)
        .await
        .map_err(|missing| StorageError::Other(missing.to_string()))?;
    save_demo_data(repo, data).await
}

/// [`build_demo_data`] a slice at a time, the browser taking a turn between
/// slices; fetched as a chunk of its own by the first "Load demo data" in
/// split builds (src/split.rs), not by every start.
pub async fn build_demo_data_lazily(
    today: NaiveDate,
    now: NaiveDateTime,
    size: DemoSize,
) -> Result<DemoData, crate::split::ChunkMissing> {
    Ok(demo_build_in_turns(today, now, size).await?.await)
}

/// The history steps run between two turns of the browser: about 30 ms of
/// work in the browser.
const STEPS_PER_TURN: usize = 8_000;

crate::split_off! {
    fn demo_build_in_turns(
        today: NaiveDate,
        now: NaiveDateTime,
        size: DemoSize,
    ) -> Result<crate::split::InChunk<DemoData>, crate::split::ChunkMissing> {
        Ok(Box::pin(async move {
            let mut build = DemoBuild::new(today, now, size);
            while !build.advance(STEPS_PER_TURN) {
                // Tests run natively, where there is no browser to yield to.
                #[cfg(target_arch = "wasm32")]
                crate::browser_turn::browser_turn().await;
            }
            build.finish()
        }))
    }
}

/// The second half of [`load_demo_data`]: replaces everything the
/// repository holds with `data`, in one atomic batch.
pub async fn save_demo_data<R: Repository>(
    repo: &R,
    data: DemoData,
) -> Result<DemoSummary, StorageError> {
    if let Some(problem) = data.refused.first() {
        return Err(StorageError::Other(format!(
            "Internal error: the demo data broke a rule ({problem}); nothing was saved."
        )));
    }
    let summary = DemoSummary {
        packages: data.packages.len(),
        licenses: data.licenses.len(),
        leads: data.leads.len(),
        installs: data.installs.len(),
        records: data.record_count(),
    };
    let mut batch = replacing_batch();
    put_all(&mut batch, data.users);
    put_all(&mut batch, data.packages);
    put_all(&mut batch, data.versions);
    put_all(&mut batch, data.licenses);
    put_all(&mut batch, data.history);
    put_all(&mut batch, data.leads);
    put_all(&mut batch, data.accounts);
    put_all(&mut batch, data.contacts);
    put_all(&mut batch, data.installs);
    put_all(&mut batch, data.alert_rules);
    batch.upsert(data.sequences);
    repo.commit(batch).await?;
    Ok(summary)
}

/// Whether the repository holds any record besides the users.
pub async fn has_data<R: Repository>(repo: &R) -> Result<bool, StorageError> {
    Ok(repo.count::<Package>().await? > 0
        || repo.count::<License>().await? > 0
        || repo.count::<InstallEvent>().await? > 0
        || repo.count::<Lead>().await? > 0
        || repo.count::<AlertRule>().await? > 0)
}

/// Clears every store in one atomic batch; the seed users are put back (the
/// app needs someone to act as), as they were at the first start.
pub async fn reset<R: Repository>(repo: &R) -> Result<(), StorageError> {
    let mut batch = replacing_batch();
    batch.clear_store(StoreName::Counters);
    put_all(&mut batch, seed_users());
    repo.commit(batch).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{due_notifications, expiring_within, InstallOutcome, LeadOwner, Seats};
    use crate::storage::MemoryRepository;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn now() -> NaiveDateTime {
        today().and_hms_opt(10, 30, 0).unwrap()
    }

    fn normal() -> DemoData {
        build_demo_data(today(), now(), DemoSize::Normal)
    }

    #[test]
    fn deterministic() {
        assert_eq!(normal(), normal());
        let other_day = build_demo_data(
            today() + Duration::days(1),
            now() + Duration::days(1),
            DemoSize::Normal,
        );
        assert_eq!(other_day.licenses.len(), normal().licenses.len());
    }

    #[test]
    fn built_in_slices_or_in_one_piece_the_demo_is_the_same() {
        let mut build = DemoBuild::new(today(), now(), DemoSize::Normal);
        let mut turns = 0;
        while !build.advance(100) {
            turns += 1;
        }
        assert!(
            turns > 3,
            "the normal demo's history is several slices of 100 steps"
        );
        assert_eq!(build.finish(), normal());
    }

    #[test]
    fn no_workflow_was_refused_and_counts_match() {
        let d = normal();
        assert_eq!(d.refused, Vec::<String>::new());
        assert_eq!(d.packages.len(), 4);
        assert_eq!(d.licenses.len(), DemoSize::Normal.licenses());
        let installs = d
            .installs
            .iter()
            .filter(|e| e.kind == crate::domain::InstallKind::Install)
            .count();
        assert!((190..=215).contains(&installs), "{installs} installs");
        assert_eq!(d.leads.len(), d.licenses.len());
        assert!(d.versions.len() >= 14);
        assert!(d.versions.iter().any(|v| v.beta));
    }

    #[test]
    fn every_license_is_valid() {
        let d = normal();
        let mut names: Vec<u64> = d.licenses.iter().map(|l| l.name.number()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), d.licenses.len(), "License Names are unique");
        let mut ids = HashSet::new();
        for l in &d.licenses {
            assert!(ids.insert(l.id.clone()));
            assert_eq!(l.id.prefix(), "a0L");
            assert_eq!(l.subscriber_org_id.prefix(), "00D");
            assert!(l.install_date < today());
            assert!(l.information_current_as_of <= now());
            // Used Licenses is blank when Uninstalled or Site License.
            if l.status == LicenseStatus::Uninstalled || l.seats.is_site_license() {
                assert_eq!(l.used_licenses, None, "{}", l.name);
            }
            if l.sandbox {
                assert_eq!(l.seats, Seats::SiteLicense);
            }
            if l.status == LicenseStatus::Trial {
                assert!(!l.ever_active);
                assert!(l.expiration.date().is_some());
            }
            assert!(d.packages.iter().any(|p| p.id == l.package_id));
            let v = d
                .versions
                .iter()
                .find(|v| v.id == l.package_version_id)
                .unwrap();
            assert_eq!(v.version, l.version_number);
            let lead = d
                .leads
                .iter()
                .find(|x| Some(&x.id) == l.lead_id.as_ref())
                .unwrap();
            assert_eq!(lead.full_name(), l.lead_name);
            // JSON round trip, as storage will do.
            let json = serde_json::to_string(l).unwrap();
            assert_eq!(&serde_json::from_str::<License>(&json).unwrap(), l);
        }
    }

    #[test]
    fn the_special_cases_are_present() {
        let d = normal();
        let l = &d.licenses;
        for status in LicenseStatus::ALL {
            assert!(l.iter().any(|x| x.status == status), "{status}");
        }
        for edition in [
            "Enterprise",
            "Professional",
            "Unlimited",
            "Performance",
            "Developer",
        ] {
            assert!(l.iter().any(|x| x.org_edition == edition), "{edition}");
        }
        assert!(l.iter().any(|x| x.sandbox && x.seats == Seats::SiteLicense));
        assert!(l.iter().any(|x| x.available_seats().is_some_and(|a| a < 0)));
        assert!(l.iter().any(|x| x.used_licenses.is_some_and(|u| u > 0)));
        assert!(!expiring_within(l, today(), 7).is_empty());
        assert!(expiring_within(l, today(), 30).len() > expiring_within(l, today(), 7).len());
        assert!(l.iter().any(|x| x.org_status == OrgStatus::Suspended));
        assert!(l.iter().any(|x| x.org_status == OrgStatus::Deleted));
        assert!(l
            .iter()
            .any(|x| x.account_id.is_some() && x.contact_id.is_some()));
        assert!(!d.accounts.is_empty() && d.accounts.len() == d.contacts.len());
        assert!(d.leads.iter().any(|x| x.is_converted()));
        assert!(d
            .leads
            .iter()
            .any(|x| x.owner == LeadOwner::LicenseManagementApp));
        assert!(d
            .leads
            .iter()
            .any(|x| matches!(x.owner, LeadOwner::User(_))));
        assert!(!d.history.is_empty());
        let pending = d
            .installs
            .iter()
            .filter(|e| matches!(e.outcome, InstallOutcome::Pending { .. }))
            .count();
        let failed = d
            .installs
            .iter()
            .filter(|e| matches!(e.outcome, InstallOutcome::Failed { .. }))
            .count();
        assert_eq!((pending, failed), (3, 3));
        assert!(d
            .installs
            .iter()
            .any(|e| e.kind == crate::domain::InstallKind::Upgrade));
        assert!(d.packages.iter().filter(|p| p.is_registered()).count() == 3);
        assert!(d
            .packages
            .iter()
            .any(|p| p.lead_manager.is_none() && p.is_registered()));
        assert_eq!(d.alert_rules.len(), 3);
        assert!(!due_notifications(&d.alert_rules, l, &d.users, today()).is_empty());
        // Registered defaults differ.
        let defaults: HashSet<String> = d
            .packages
            .iter()
            .filter_map(|p| p.default_license().map(|x| format!("{x:?}")))
            .collect();
        assert_eq!(defaults.len(), 3);
    }

    #[test]
    fn counters_continue_after_the_demo() {
        let mut d = normal();
        let next = d.sequences.next_license_name();
        assert!(d.licenses.iter().all(|l| l.name < next));
        let lead = d.sequences.next_id(KeyPrefix::Lead);
        assert!(d.leads.iter().all(|l| l.id != lead));
    }

    #[test]
    fn large_sizes_have_exact_license_counts() {
        let d = build_demo_data(today(), now(), DemoSize::Large10k);
        assert_eq!(d.refused, Vec::<String>::new());
        assert_eq!(d.licenses.len(), 10_000);
        let orgs: HashSet<&SfId> = d.licenses.iter().map(|l| &l.subscriber_org_id).collect();
        assert!(orgs.len() > 8_000);
    }

    #[test]
    fn load_replaces_everything_and_reset_clears_it() {
        futures::executor::block_on(async {
            let repo = MemoryRepository::new();
            let summary = load_demo_data(&repo, today(), now(), DemoSize::Normal)
                .await
                .unwrap();
            assert_eq!(summary.licenses, 190);
            assert_eq!(repo.count::<License>().await.unwrap(), 190);
            assert!(has_data(&repo).await.unwrap());
            // Loading again gives the same data, not twice as much.
            load_demo_data(&repo, today(), now(), DemoSize::Normal)
                .await
                .unwrap();
            assert_eq!(repo.count::<License>().await.unwrap(), 190);
            // A record the demo doesn't have is gone after the next load.
            let mut extra = repo.all_records::<Lead>().await.unwrap()[0].clone();
            extra.id = SfId::generate(KeyPrefix::Lead, 999_999);
            let leads = repo.count::<Lead>().await.unwrap();
            repo.create(extra).await.unwrap();
            assert_eq!(repo.count::<Lead>().await.unwrap(), leads + 1);
            load_demo_data(&repo, today(), now(), DemoSize::Normal)
                .await
                .unwrap();
            assert_eq!(repo.count::<Lead>().await.unwrap(), leads);
            // The stores were emptied first: every record is new again.
            let licenses = repo.get_all::<License>().await.unwrap();
            assert!(licenses.iter().all(|s| s.rev == 1));
            reset(&repo).await.unwrap();
            assert!(!has_data(&repo).await.unwrap());
            assert_eq!(repo.count::<License>().await.unwrap(), 0);
            assert_eq!(repo.count::<Sequences>().await.unwrap(), 0);
            assert_eq!(repo.count::<User>().await.unwrap(), 5);
        });
    }
}
