//! Per-operator configuration: which controls run, at what severity, with which thresholds.
//!
//! A TOML file, every key optional (the defaults are the reference checker's `t_ct_conf` values):
//!
//! ```toml
//! blocking = "error"            # lowest severity that makes `thd check` exit non-zero
//!
//! [thresholds]
//! topology_tolerance_m = 0.1    # ct_1_topotol
//! cable_line_tolerance_m = 0.1  # ct_1_cldistmaxnd
//! suf_address_max_m = 20.0      # ct_1_sfdistmaxad
//! cable_capacity_min = 2        # ct_1_cbcapamin
//! cable_capacity_max = 780      # ct_1_cbcapamax
//! route_length_tolerance = 0.10 # declared cable length vs its route
//! cable_line_route_offset_m = 1.0 # cable line vs the paths of its route
//! duct_fill_max = 0.6           # cables' cross-section over the duct's
//!
//! [controls]
//! "cb_capafo_1_s80008" = { severity = "warning" }
//! "graph.zone.*" = { enabled = false }    # `*` matches any run of characters
//! ```
//!
//! An exact id wins over a pattern; among patterns the longest (most specific) wins.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use thd_diag::{Diagnostic, Severity};

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the check configuration {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the check configuration {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// Numeric thresholds of the controls.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Largest distance at which two graph objects are considered to touch (m).
    pub topology_tolerance_m: f64,
    /// Largest distance between a cable line's end and its box or technical room (m).
    pub cable_line_tolerance_m: f64,
    /// Largest distance between the node of an end-user site and its address point (m).
    pub suf_address_max_m: f64,
    pub cable_capacity_min: u32,
    pub cable_capacity_max: u32,
    /// Largest relative gap between a cable's declared length and the length of its route.
    pub route_length_tolerance: f64,
    /// Largest distance between a cable line and the paths of its declared route (m).
    pub cable_line_route_offset_m: f64,
    /// Largest share of a duct's inner cross-section its cables may fill.
    pub duct_fill_max: f64,
    /// Largest distance of an NRO, SRO or PBO node outside the zone it serves (0: must be inside).
    pub nro_zone_distance_m: f64,
    pub sro_zone_distance_m: f64,
    pub pbo_zone_distance_m: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            topology_tolerance_m: 0.1,
            cable_line_tolerance_m: 0.1,
            suf_address_max_m: 20.0,
            cable_capacity_min: 2,
            cable_capacity_max: 780,
            route_length_tolerance: 0.10,
            cable_line_route_offset_m: 1.0,
            duct_fill_max: 0.6,
            nro_zone_distance_m: 0.0,
            sro_zone_distance_m: 0.0,
            pbo_zone_distance_m: 0.0,
        }
    }
}

/// What the operator says about one control or a pattern of controls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlSetting {
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "severity_opt")]
    pub severity: Option<Severity>,
}

fn severity_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    #[serde(deserialize_with = "severity_required")]
    pub blocking: Severity,
    pub thresholds: Thresholds,
    pub controls: BTreeMap<String, ControlSetting>,
}

fn severity_required<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    String::deserialize(d)?
        .parse()
        .map_err(serde::de::Error::custom)
}

impl Default for Config {
    fn default() -> Self {
        Self {
            blocking: Severity::Error,
            thresholds: Thresholds::default(),
            controls: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Parses a configuration; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: origin.to_owned(),
            message: e.to_string(),
        })?;
        config.validate(origin)?;
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let t = &self.thresholds;
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_owned(),
            message,
        };
        for (name, value) in [
            ("topology_tolerance_m", t.topology_tolerance_m),
            ("cable_line_tolerance_m", t.cable_line_tolerance_m),
            ("suf_address_max_m", t.suf_address_max_m),
            ("route_length_tolerance", t.route_length_tolerance),
            ("cable_line_route_offset_m", t.cable_line_route_offset_m),
            ("duct_fill_max", t.duct_fill_max),
            ("nro_zone_distance_m", t.nro_zone_distance_m),
            ("sro_zone_distance_m", t.sro_zone_distance_m),
            ("pbo_zone_distance_m", t.pbo_zone_distance_m),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(invalid(format!(
                    "thresholds.{name} = {value} must be a non-negative number"
                )));
            }
        }
        if t.cable_capacity_min > t.cable_capacity_max {
            return Err(invalid(format!(
                "thresholds.cable_capacity_min ({}) is above cable_capacity_max ({})",
                t.cable_capacity_min, t.cable_capacity_max
            )));
        }
        Ok(())
    }

    /// The setting that applies to `id`: its own entry, else the longest matching pattern.
    fn setting(&self, id: &str) -> Option<&ControlSetting> {
        if let Some(exact) = self.controls.get(id) {
            return Some(exact);
        }
        self.controls
            .iter()
            .filter(|(pattern, _)| pattern.contains('*') && glob_match(pattern, id))
            .max_by_key(|(pattern, _)| pattern.len())
            .map(|(_, setting)| setting)
    }

    /// Whether the control `id` runs.
    pub fn enabled(&self, id: &str) -> bool {
        self.setting(id).and_then(|s| s.enabled).unwrap_or(true)
    }

    /// Drops the diagnostics of disabled controls and applies the operator's severities.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        if self.controls.is_empty() {
            return;
        }
        diagnostics.retain_mut(|d| match self.setting(&d.rule) {
            Some(setting) if setting.enabled == Some(false) => false,
            Some(setting) => {
                if let Some(severity) = setting.severity {
                    d.severity = severity;
                }
                true
            }
            None => true,
        });
    }

    /// Whether a diagnostic blocks acceptance.
    pub fn is_blocking(&self, diagnostic: &Diagnostic) -> bool {
        diagnostic.severity >= self.blocking
    }
}

/// `*` matches any run of characters, everything else itself. Hand-written because ids are short ASCII and
/// only `*` is needed; a glob crate would bring path semantics that do not apply to control ids.
fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_diag::rules;

    #[test]
    fn patterns_match_like_shell_globs() {
        assert!(glob_match("graph.zone.*", "graph.zone.overlap"));
        assert!(glob_match("*_r*", "ad_code_1_r00001"));
        assert!(glob_match("cb_*_s8000?", "cb_capafo_1_s8000?"));
        assert!(!glob_match("graph.zone.*", "graph.path.zero_length"));
        assert!(!glob_match("ab*ab", "ab"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn exact_ids_win_over_patterns_and_longer_patterns_over_shorter() {
        let config = Config::parse(
            r#"
            blocking = "critical"
            [thresholds]
            topology_tolerance_m = 0.5
            [controls]
            "decode.*" = { enabled = false }
            "decode.list*" = { enabled = true, severity = "warning" }
            "decode.integer" = { severity = "info" }
            "#,
            "test.toml",
        )
        .expect("valid");
        assert_eq!(config.thresholds.topology_tolerance_m, 0.5);
        assert_eq!(config.thresholds.cable_capacity_max, 780);
        assert!(!config.enabled("decode.date"));
        assert!(config.enabled("decode.list_value"));
        let mut diagnostics = vec![
            Diagnostic::new(&rules::DECODE_DATE),
            Diagnostic::new(&rules::DECODE_LIST_VALUE),
            Diagnostic::new(&rules::DECODE_INTEGER),
            Diagnostic::new(&rules::READ_IO),
        ];
        config.apply(&mut diagnostics);
        let kept: Vec<(&str, Severity)> =
            diagnostics.iter().map(|d| (&*d.rule, d.severity)).collect();
        assert_eq!(
            kept,
            [
                ("decode.list_value", Severity::Warning),
                ("decode.integer", Severity::Info),
                ("read.io", Severity::Critical)
            ]
        );
        assert!(config.is_blocking(&diagnostics[2]));
        assert!(!config.is_blocking(&diagnostics[0]));
    }

    #[test]
    fn bad_files_name_the_problem() {
        let unknown = Config::parse("[thresholds]\ntolerance = 1\n", "ops.toml").unwrap_err();
        assert!(unknown.to_string().contains("ops.toml"), "{unknown}");
        assert!(unknown.to_string().contains("tolerance"), "{unknown}");
        let negative =
            Config::parse("[thresholds]\ntopology_tolerance_m = -1\n", "ops.toml").unwrap_err();
        assert!(negative.to_string().contains("non-negative"), "{negative}");
        let severity = Config::parse("[controls]\n\"x\" = { severity = \"fatal\" }\n", "ops.toml")
            .unwrap_err();
        assert!(severity.to_string().contains("fatal"), "{severity}");
    }
}
