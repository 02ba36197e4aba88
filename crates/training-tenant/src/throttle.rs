//! Graph's identity-and-access throttling (graph-api.md §2.6, "Microsoft Graph service-specific
//! throttling limits"): a resource-unit budget per app + tenant per 10 s sized by tenant
//! population, and a write budget of 3,000 requests per 2 min 30 s. Off unless enabled
//! (`--realistic` or `/_training/throttling`). A time scale (`Options::throttle_time_scale`)
//! shortens every window, and the realistic latency, by the same factor so that benchmarks reach
//! the quota in seconds; budgets stay as published, so ratios to the quota are unchanged.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::Method;
use rand::Rng;
use serde::{Deserialize, Serialize};

const RU_WINDOW: Duration = Duration::from_secs(10);
const WRITE_WINDOW: Duration = Duration::from_secs(150);
/// The tenant's write budget across all apps: 18,000 requests / 5 min.
const TENANT_WRITE_WINDOW: Duration = Duration::from_secs(300);
const TENANT_WRITES: u32 = 18_000;

/// What a request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub resource_units: u32,
    pub write: bool,
}

/// Base cost: `GET users` (the collection) = 2, `GET servicePrincipals/{id}/appRoleAssignments`
/// = 2, other GETs = 1, writes = 1 RU + 1 write; `$select` −1, `$expand` +1, `$top` < 20 −1;
/// never below 1.
pub fn cost(method: &Method, path: &str, raw_query: &str) -> Cost {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    let write = *method != Method::GET && *method != Method::HEAD;
    let mut ru: i32 = if write {
        1
    } else if segments == ["users"]
        || (segments
            .first()
            .is_some_and(|s| s.starts_with("serviceprincipals"))
            && segments.last() == Some(&"approleassignments"))
    {
        2
    } else {
        1
    };
    let q = raw_query.to_ascii_lowercase();
    if q.contains("$select=") || q.contains("%24select=") {
        ru -= 1;
    }
    if q.contains("$expand=") || q.contains("%24expand=") {
        ru += 1;
    }
    let top = url::form_urlencoded::parse(raw_query.as_bytes())
        .find(|(k, _)| k == "$top")
        .and_then(|(_, v)| v.parse::<u32>().ok());
    if top.is_some_and(|t| t < 20) {
        ru -= 1;
    }
    Cost {
        resource_units: ru.max(1) as u32,
        write,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleLimits {
    pub enabled: bool,
    /// Resource units per 10 s per app + tenant.
    pub resource_units_per_10s: u32,
    /// Writes per 150 s per app + tenant.
    pub writes_per_150s: u32,
}

#[derive(Debug)]
struct Usage {
    ru_start: Instant,
    ru_used: u32,
    write_start: Instant,
    writes: u32,
}

#[derive(Debug)]
pub struct Throttle {
    pub limits: ThrottleLimits,
    usage: HashMap<String, Usage>,
    tenant_write_start: Instant,
    tenant_writes: u32,
    /// Every window is divided by this (1 = Graph's own windows).
    time_scale: f64,
}

#[derive(Debug, Clone)]
pub struct Throttled {
    pub retry_after_secs: u64,
    pub scope: String,
    pub information: &'static str,
}

impl Throttle {
    /// Limits for a tenant of `users` people: S (<50) 3,500 RU, M (50–500) 5,000, L 8,000.
    pub fn new(users: usize, enabled: bool) -> Self {
        let ru = match users {
            0..=49 => 3_500,
            50..=500 => 5_000,
            _ => 8_000,
        };
        Self {
            limits: ThrottleLimits {
                enabled,
                resource_units_per_10s: ru,
                writes_per_150s: 3_000,
            },
            usage: HashMap::new(),
            tenant_write_start: Instant::now(),
            tenant_writes: 0,
            time_scale: 1.0,
        }
    }

    /// Windows `scale` times shorter (a positive, finite factor; anything else means 1).
    pub fn with_time_scale(mut self, scale: f64) -> Self {
        self.time_scale = valid_time_scale(scale);
        self
    }

    fn window(&self, published: Duration) -> Duration {
        published.div_f64(self.time_scale)
    }

    pub fn set_limits(&mut self, limits: ThrottleLimits) {
        self.limits = limits;
        self.usage.clear();
        self.tenant_writes = 0;
    }

    /// Charges one request to `app_id`; `Err` when over budget. `Ok(Some(p))` gives the
    /// `x-ms-throttle-limit-percentage` once more than 80% of a budget is used.
    pub fn charge(
        &mut self,
        app_id: &str,
        tenant_id: &str,
        cost: Cost,
    ) -> Result<Option<String>, Throttled> {
        if !self.limits.enabled {
            return Ok(None);
        }
        let now = Instant::now();
        let (ru_window, write_window, tenant_write_window) = (
            self.window(RU_WINDOW),
            self.window(WRITE_WINDOW),
            self.window(TENANT_WRITE_WINDOW),
        );
        let usage = self.usage.entry(app_id.to_string()).or_insert(Usage {
            ru_start: now,
            ru_used: 0,
            write_start: now,
            writes: 0,
        });
        if now.duration_since(usage.ru_start) >= ru_window {
            usage.ru_start = now;
            usage.ru_used = 0;
        }
        if now.duration_since(usage.write_start) >= write_window {
            usage.write_start = now;
            usage.writes = 0;
        }
        if usage.ru_used + cost.resource_units > self.limits.resource_units_per_10s {
            let left = ru_window.saturating_sub(now.duration_since(usage.ru_start));
            return Err(Throttled {
                retry_after_secs: retry_after_secs(left),
                scope: format!("Tenant_Application/ReadWrite/{app_id}/{tenant_id}"),
                information: "ResourceUnitLimitExceeded",
            });
        }
        if cost.write && usage.writes + 1 > self.limits.writes_per_150s {
            let left = write_window.saturating_sub(now.duration_since(usage.write_start));
            return Err(Throttled {
                retry_after_secs: retry_after_secs(left),
                scope: format!("Tenant_Application/Write/{app_id}/{tenant_id}"),
                information: "WriteLimitExceeded",
            });
        }
        if now.duration_since(self.tenant_write_start) >= tenant_write_window {
            self.tenant_write_start = now;
            self.tenant_writes = 0;
        }
        if cost.write && self.tenant_writes + 1 > TENANT_WRITES {
            let left =
                tenant_write_window.saturating_sub(now.duration_since(self.tenant_write_start));
            return Err(Throttled {
                retry_after_secs: retry_after_secs(left),
                scope: format!("Tenant/Write/{app_id}/{tenant_id}"),
                information: "WriteLimitExceeded",
            });
        }
        usage.ru_used += cost.resource_units;
        if cost.write {
            usage.writes += 1;
            self.tenant_writes += 1;
        }
        let ru_share = usage.ru_used as f64 / self.limits.resource_units_per_10s.max(1) as f64;
        let write_share = usage.writes as f64 / self.limits.writes_per_150s.max(1) as f64;
        let share = ru_share.max(write_share);
        Ok((share > 0.8).then(|| format!("{:.1}", share.min(1.8))))
    }
}

/// `scale` if it is a positive, finite number, else 1.
pub fn valid_time_scale(scale: f64) -> f64 {
    if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        1.0
    }
}

/// A latency like Graph's from nearby: a floor of ~35 ms, an exponential tail (median ≈ 60 ms,
/// p95 ≈ 155 ms) and a rare slow request of up to 2 s.
pub fn realistic_latency() -> Duration {
    let mut rng = rand::thread_rng();
    if rng.gen_bool(0.01) {
        return Duration::from_millis(rng.gen_range(800..2000));
    }
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let ms = 35.0 + (-u.ln() * 40.0);
    Duration::from_millis(ms.min(1500.0) as u64)
}

/// `Retry-After` for a window that reopens in `left`: whole seconds (the header carries no
/// fraction), rounded up so a client that waits exactly that long is never turned away again.
fn retry_after_secs(left: Duration) -> u64 {
    let whole = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_published_table() {
        assert_eq!(cost(&Method::GET, "/users", "").resource_units, 2);
        assert_eq!(cost(&Method::GET, "/users", "$select=id").resource_units, 1);
        assert_eq!(cost(&Method::GET, "/users/x", "").resource_units, 1);
        assert_eq!(cost(&Method::GET, "/users", "$top=5").resource_units, 1);
        assert!(cost(&Method::PATCH, "/users/x", "").write);
    }

    #[test]
    fn budget_runs_out_and_says_so() {
        let mut t = Throttle::new(10, true);
        t.set_limits(ThrottleLimits {
            enabled: true,
            resource_units_per_10s: 3,
            writes_per_150s: 100,
        });
        let c = Cost {
            resource_units: 2,
            write: false,
        };
        assert!(t.charge("app", "tid", c).is_ok());
        let err = t.charge("app", "tid", c).unwrap_err();
        assert_eq!(err.information, "ResourceUnitLimitExceeded");
        assert!(err.retry_after_secs >= 1);
        assert!(t.charge("other-app", "tid", c).is_ok());
    }

    /// A client that waits exactly the `Retry-After` it was given finds the window open again.
    #[test]
    fn retry_after_is_never_shorter_than_the_wait_left() {
        assert_eq!(retry_after_secs(Duration::from_millis(14_300)), 15);
        assert_eq!(retry_after_secs(Duration::from_secs(14)), 14);
        assert_eq!(retry_after_secs(Duration::from_millis(200)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);

        let mut t = Throttle::new(10, true).with_time_scale(100.0);
        t.set_limits(ThrottleLimits {
            enabled: true,
            resource_units_per_10s: 100,
            writes_per_150s: 1,
        });
        let w = Cost {
            resource_units: 1,
            write: true,
        };
        assert!(t.charge("app", "tid", w).is_ok());
        // 150 s / 100 = 1.5 s, of which a little has passed: Graph's whole seconds say 2.
        let err = t.charge("app", "tid", w).unwrap_err();
        assert_eq!(err.retry_after_secs, 2);
    }

    #[test]
    fn a_time_scale_shortens_the_write_window_but_not_the_budget() {
        // 150 s / 1,500 = 100 ms.
        let mut t = Throttle::new(10, true).with_time_scale(1_500.0);
        t.set_limits(ThrottleLimits {
            enabled: true,
            resource_units_per_10s: 100,
            writes_per_150s: 2,
        });
        let w = Cost {
            resource_units: 1,
            write: true,
        };
        assert!(t.charge("app", "tid", w).is_ok());
        assert!(t.charge("app", "tid", w).is_ok());
        let err = t.charge("app", "tid", w).unwrap_err();
        assert_eq!(err.information, "WriteLimitExceeded");
        std::thread::sleep(Duration::from_millis(120));
        assert!(t.charge("app", "tid", w).is_ok());
        assert_eq!(valid_time_scale(0.0), 1.0);
        assert_eq!(valid_time_scale(f64::NAN), 1.0);
    }
}
