//! How the reference checker's severities map onto the engine's.

use thd_diag::Severity;

/// The engine's severity for a reference-checker severity: blocking defects make a delivery unusable, invalid
/// and to-fix ones must be corrected before acceptance, informative ones are for review.
pub fn severity_of(reference: u8) -> Severity {
    match reference {
        1 => Severity::Critical,
        2 | 3 => Severity::Error,
        _ => Severity::Info,
    }
}
