//! Telemetry every part reports to: the process-wide Prometheus recorder behind `/metrics`
//! (`http::ops` renders it; the recommender's model gauge and the request counters write to
//! it through the `metrics` macros).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide Prometheus recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Only fails when another recorder was installed first; then ours just stays unused.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}
