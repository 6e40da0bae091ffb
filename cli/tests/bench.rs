//! `wsf bench scale` on small sizes: every figure is measured (a run that does not catch up,
//! reconcile or deliver fails), and the JSON keys are there.

mod common;

use common::json;

#[test]
fn bench_scale_measures_every_size_and_network() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = json(
        dir.path(),
        &[
            "bench",
            "scale",
            "--sizes",
            "150,300",
            "--diff",
            "4",
            "--lookups",
            "16",
            "--nodes",
            "3",
            "--gossip-records",
            "5",
        ],
    );
    let stores = v["stores"].as_array().expect("stores");
    assert_eq!(stores.len(), 2, "{v}");
    for (row, size) in stores.iter().zip([150u64, 300]) {
        assert_eq!(row["records"].as_u64(), Some(size), "{row}");
        assert_eq!(row["diff"].as_u64(), Some(4), "{row}");
        for key in [
            "ingest_per_s",
            "verify_per_s",
            "store_bytes_per_record",
            "records_bytes_per_record",
            "search_bytes_per_record",
            "list_p50_ms",
            "list_p99_ms",
            "show_p50_ms",
            "show_p99_ms",
            "catchup_per_s",
            "catchup_ratio",
        ] {
            let x = row[key].as_f64().unwrap_or(-1.0);
            assert!(x > 0.0 && x.is_finite(), "{key}: {row}");
        }
        assert!(
            row["list_p50_ms"].as_f64() <= row["list_p99_ms"].as_f64(),
            "{row}"
        );
        // The records themselves are bigger than their envelopes' share of the file can be
        // below: the store holds at least the envelopes' compressed bytes.
        assert!(
            row["store_bytes_per_record"].as_f64() > Some(100.0),
            "{row}"
        );
        assert!(row["diff_bytes"].as_u64() > Some(0), "{row}");
        assert!(row["diff_round_trips"].as_u64() >= Some(1), "{row}");
        assert_eq!(row["catchup_sessions"].as_u64(), Some(1), "{row}");
    }
    let gossip = v["gossip"].as_array().expect("gossip");
    assert_eq!(gossip.len(), 1, "{v}");
    assert_eq!(gossip[0]["nodes"].as_u64(), Some(3));
    assert_eq!(gossip[0]["delivered_ratio"].as_f64(), Some(1.0), "{v}");
    assert!(gossip[0]["raw_p50_ms"].as_f64() > Some(0.0), "{v}");
}

#[test]
fn bench_scale_refuses_a_store_of_no_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = common::fails(dir.path(), &["bench", "scale", "--sizes", "0"], 1);
    assert!(err.contains("at least 1 record"), "{err}");
}
