//! What a list reads of a record from the list snapshot (`list_snapshot.rs`):
//! for a license, the list row's own fields in a compact binary form,
//! decoded straight into the row (no JSON text, no `License`: decoding
//! 100,000 JSON licenses was most of the 100k cold start, docs/perf.md).
//! The record's own encoder is [`Record::list_entry`]; this is the reader.

use chrono::NaiveDate;

use super::record::Record;
use crate::domain::{
    Expiration, License, LicenseFigures, LicenseName, LicenseStatus, OrgStatus, SeatCount, Seats,
    SfId, VersionNumber,
};

/// A record type the list snapshot covers: what a list reads of it.
pub trait Listed: Record {
    /// What the list gets for each record.
    type Entry;

    /// The entry of a record read from its store (the snapshot bypassed).
    fn entry(&self) -> Self::Entry;

    /// Reads the bytes [`Record::list_entry`] wrote (an error: why not).
    fn read_entry(bytes: &[u8]) -> Result<Self::Entry, String>;
}

/// The fields of a license that the licenses list shows, searches and
/// sorts: everything a row needs before its joins (package name, company,
/// email).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedLicense {
    pub id: SfId,
    /// The License Name's number (`L-00042` is 42).
    pub number: u64,
    pub status: LicenseStatus,
    pub seats: Seats,
    pub used_licenses: Option<u32>,
    pub expiration: Expiration,
    pub install_date: NaiveDate,
    pub sandbox: bool,
    pub org_status: OrgStatus,
    pub over_seat_limit: bool,
    pub org_id: SfId,
    pub package_id: SfId,
    pub version: VersionNumber,
    pub lead_name: String,
    pub lead_id: Option<SfId>,
    pub account_id: Option<SfId>,
    pub contact_id: Option<SfId>,
}

impl ListedLicense {
    pub fn of(l: &License) -> ListedLicense {
        ListedLicense {
            id: l.id.clone(),
            number: l.name.number(),
            status: l.status,
            seats: l.seats,
            used_licenses: l.used_licenses,
            expiration: l.expiration,
            install_date: l.install_date,
            sandbox: l.sandbox,
            org_status: l.org_status,
            over_seat_limit: l.is_over_seat_limit(),
            org_id: l.subscriber_org_id.clone(),
            package_id: l.package_id.clone(),
            version: l.version_number,
            lead_name: l.lead_name.clone(),
            lead_id: l.lead_id.clone(),
            account_id: l.account_id.clone(),
            contact_id: l.contact_id.clone(),
        }
    }

    /// What the dashboard counts of the license (as [`License::figures`]).
    pub fn figures(&self) -> LicenseFigures<'_> {
        LicenseFigures {
            id: &self.id,
            name: LicenseName::from_number(self.number),
            package_id: &self.package_id,
            status: self.status,
            seats: self.seats,
            used_licenses: self.used_licenses,
            expiration: self.expiration,
        }
    }

    /// The entry's bytes (about 150 for a license, against 600-700 of JSON).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(140 + self.lead_name.len());
        let flags = u8::from(self.sandbox)
            | u8::from(self.over_seat_limit) << 1
            | u8::from(self.used_licenses.is_some()) << 2
            | u8::from(self.expiration.date().is_some()) << 3
            | u8::from(self.lead_id.is_some()) << 4
            | u8::from(self.account_id.is_some()) << 5
            | u8::from(self.contact_id.is_some()) << 6;
        out.push(flags);
        out.push(status_code(self.status));
        out.push(org_status_code(self.org_status));
        out.extend_from_slice(self.id.to18().as_bytes());
        out.extend_from_slice(&self.number.to_le_bytes());
        out.extend_from_slice(&self.seats.get().unwrap_or(0).to_le_bytes());
        if let Some(used) = self.used_licenses {
            out.extend_from_slice(&used.to_le_bytes());
        }
        out.extend_from_slice(&days(self.install_date).to_le_bytes());
        if let Some(date) = self.expiration.date() {
            out.extend_from_slice(&days(date).to_le_bytes());
        }
        for part in [
            self.version.major(),
            self.version.minor(),
            self.version.patch(),
        ] {
            out.extend_from_slice(&part.to_le_bytes());
        }
        out.extend_from_slice(self.org_id.to18().as_bytes());
        out.extend_from_slice(self.package_id.to18().as_bytes());
        for id in [&self.lead_id, &self.account_id, &self.contact_id]
            .into_iter()
            .flatten()
        {
            out.extend_from_slice(id.to18().as_bytes());
        }
        out.extend_from_slice(self.lead_name.as_bytes());
        out
    }

    /// Reads [`encode`](ListedLicense::encode)'s bytes.
    pub fn decode(bytes: &[u8]) -> Option<ListedLicense> {
        let mut r = Bytes(bytes);
        let [flags, status, org_status] = r.array::<3>()?;
        let flag = |bit: u8| flags & (1 << bit) != 0;
        let id = r.id()?;
        let number = u64::from_le_bytes(r.array()?);
        let seats = match u32::from_le_bytes(r.array()?) {
            0 => Seats::SiteLicense,
            n => Seats::Count(SeatCount::new(n).ok()?),
        };
        let used_licenses = if flag(2) { Some(r.u32()?) } else { None };
        let install_date = date(r.i32()?)?;
        let expiration = if flag(3) {
            Expiration::Date(date(r.i32()?)?)
        } else {
            Expiration::DoesNotExpire
        };
        let version = VersionNumber::new(r.u32()?, r.u32()?, r.u32()?);
        let org_id = r.id()?;
        let package_id = r.id()?;
        let lead_id = if flag(4) { Some(r.id()?) } else { None };
        let account_id = if flag(5) { Some(r.id()?) } else { None };
        let contact_id = if flag(6) { Some(r.id()?) } else { None };
        let lead_name = std::str::from_utf8(r.0).ok()?.to_string();
        Some(ListedLicense {
            id,
            number,
            status: *STATUSES.get(usize::from(status))?,
            seats,
            used_licenses,
            expiration,
            install_date,
            sandbox: flag(0),
            org_status: *ORG_STATUSES.get(usize::from(org_status))?,
            over_seat_limit: flag(1),
            org_id,
            package_id,
            version,
            lead_name,
            lead_id,
            account_id,
            contact_id,
        })
    }
}

impl Listed for License {
    type Entry = ListedLicense;

    fn entry(&self) -> ListedLicense {
        ListedLicense::of(self)
    }

    fn read_entry(bytes: &[u8]) -> Result<ListedLicense, String> {
        ListedLicense::decode(bytes).ok_or_else(|| "its list entry can't be read".to_string())
    }
}

const STATUSES: [LicenseStatus; 4] = [
    LicenseStatus::Trial,
    LicenseStatus::Active,
    LicenseStatus::Suspended,
    LicenseStatus::Uninstalled,
];

fn status_code(s: LicenseStatus) -> u8 {
    match s {
        LicenseStatus::Trial => 0,
        LicenseStatus::Active => 1,
        LicenseStatus::Suspended => 2,
        LicenseStatus::Uninstalled => 3,
    }
}

const ORG_STATUSES: [OrgStatus; 5] = [
    OrgStatus::Trial,
    OrgStatus::Active,
    OrgStatus::Free,
    OrgStatus::Suspended,
    OrgStatus::Deleted,
];

fn org_status_code(s: OrgStatus) -> u8 {
    match s {
        OrgStatus::Trial => 0,
        OrgStatus::Active => 1,
        OrgStatus::Free => 2,
        OrgStatus::Suspended => 3,
        OrgStatus::Deleted => 4,
    }
}

fn days(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

fn date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days)
}

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, tail) = self.0.split_first_chunk::<N>()?;
        self.0 = tail;
        Some(*head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.array()?))
    }

    fn id(&mut self) -> Option<SfId> {
        SfId::from_stored(&self.array::<18>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, DemoSize};

    #[test]
    fn a_license_entry_reads_back_as_written() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        let licenses =
            build_demo_data(day, day.and_time(Default::default()), DemoSize::Normal).licenses;
        assert!(licenses.len() > 100);
        for l in &licenses {
            let entry = ListedLicense::of(l);
            let bytes = entry.encode();
            assert!(bytes.len() < 200, "{} bytes", bytes.len());
            assert_eq!(ListedLicense::decode(&bytes), Some(entry));
        }
        let bytes = ListedLicense::of(&licenses[0]).encode();
        assert_eq!(ListedLicense::decode(&bytes[..40]), None);
        assert_eq!(ListedLicense::decode(b"{\"id\":\"x\"}"), None);
    }
}
