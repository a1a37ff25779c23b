//! Hostile environments (issue 16): outputs that are devices, pipes,
//! symlinks or inputs; closed streams; endless or changing inputs; signals.
//! Each test builds what it needs and names the behaviour it pins.

use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/shop");

fn blastmap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_blastmap"))
}

fn analyze_shop() -> Command {
    let mut cmd = blastmap();
    cmd.args([
        "analyze",
        SHOP,
        "--fail",
        "region:us-east-1",
        "--format",
        "json",
    ]);
    cmd
}

fn expected_shop_json() -> Vec<u8> {
    let out = analyze_shop().output().expect("blastmap runs");
    assert_eq!(out.status.code(), Some(0));
    out.stdout
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Waits for a child with a deadline, killing it if it hangs.
fn wait_with_deadline(
    child: &mut std::process::Child,
    limit: Duration,
) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("blastmap did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn output_to_dev_null_is_written_through_and_the_device_stays() {
    let out = analyze_shop().args(["-o", "/dev/null"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "/dev/null is no longer a device"
    );
}

#[test]
fn output_to_a_full_device_is_exit_2_and_says_no_space() {
    let out = analyze_shop().args(["-o", "/dev/full"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write /dev/full"), "{err}");
    assert!(err.to_lowercase().contains("no space"), "{err}");
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn output_to_dev_stdout_reaches_stdout() {
    let out = analyze_shop().args(["-o", "/dev/stdout"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, expected_shop_json());
}

#[test]
fn output_to_a_fifo_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::fs::File::open(&reader_path)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    });
    let mut child = analyze_shop().arg("-o").arg(&fifo).spawn().unwrap();
    let status = wait_with_deadline(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(0));
    assert_eq!(reader.join().unwrap(), expected_shop_json());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn output_through_a_symlink_replaces_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = analyze_shop().arg("-o").arg(&link).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&real).unwrap(), expected_shop_json());
}

fn copy_shop(dir: &Path) -> PathBuf {
    let estate = dir.join("shop");
    std::fs::create_dir(&estate).unwrap();
    for entry in std::fs::read_dir(SHOP).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), estate.join(entry.file_name())).unwrap();
    }
    estate
}

#[test]
fn output_naming_an_input_file_is_refused_and_the_estate_kept() {
    let dir = tempfile::tempdir().unwrap();
    let estate = copy_shop(dir.path());
    let inventory = estate.join("inventory.json");
    let before = std::fs::read(&inventory).unwrap();
    for source in [estate.clone(), inventory.clone()] {
        let out = blastmap()
            .arg("analyze")
            .arg(&source)
            .args(["--fail", "region:us-east-1", "-o"])
            .arg(&inventory)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("one of the inputs"), "{err}");
        assert_eq!(std::fs::read(&inventory).unwrap(), before);
    }
}

#[test]
fn check_refuses_to_write_its_report_over_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/policy.toml"),
        &policy,
    )
    .unwrap();
    let before = std::fs::read(&policy).unwrap();
    let out = blastmap()
        .args(["check", SHOP, "--policy"])
        .arg(&policy)
        .arg("-o")
        .arg(&policy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&policy).unwrap(), before);
}

#[test]
fn an_unwritable_stderr_keeps_the_commands_exit_code() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = blastmap()
        .args(["analyze", SHOP, "--fail", "region:nowhere"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a panic exits with 101");
}

#[test]
fn a_closed_stdout_ends_quietly_with_the_commands_code() {
    let mut child = analyze_shop()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = wait_with_deadline(&mut child, Duration::from_secs(60));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "", "a broken pipe is not an error to report");
}

#[test]
fn a_fifo_source_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("estate.yaml");
    mkfifo(&fifo);
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .unwrap();
        f.write_all(
            b"version: 1\nfunctions:\n  f: {requires: [db]}\nresources:\n  db: {region: r1}\n",
        )
        .unwrap();
    });
    let mut child = blastmap()
        .arg("analyze")
        .arg(&fifo)
        .args(["--fail", "region:r1", "--format", "json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_with_deadline(&mut child, Duration::from_secs(30));
    writer.join().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        out.contains(r#""id": "f""#) && out.contains(r#""status": "down""#),
        "{out}"
    );
}

#[test]
fn endless_inputs_are_refused_at_once() {
    let cases: [&[&str]; 3] = [
        &["analyze", "/dev/zero", "--fail", "region:r1"],
        &["check", SHOP, "--policy", "/dev/zero"],
        &[
            "check",
            SHOP,
            "--policy",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/policy.toml"),
            "--baseline",
            "/dev/zero",
        ],
    ];
    for args in cases {
        let mut child = blastmap()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_with_deadline(&mut child, Duration::from_secs(30));
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("NUL byte"), "{args:?}: {err}");
    }
}

/// A JSON estate of `n` resources that one function needs, each with some
/// padding so that the file is large.
fn large_estate(n: usize) -> String {
    let mut text = String::from(r#"{"version": 1, "functions": {"f": {"requires": [{"all": ["#);
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"r{i}\""));
    }
    text.push_str("]}]}}, \"resources\": {");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "\"r{i}\": {{\"region\": \"region-{}\", \"description\": \"a resource with a long description to make the file large\"}}",
            i % 3
        ));
    }
    text.push_str("}}");
    text
}

#[test]
fn an_estate_truncated_while_loading_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let text = large_estate(120_000);
    assert!(text.len() > 8 << 20, "large enough to be mapped");
    let mut reported = 0;
    for attempt in 0..12u64 {
        std::fs::write(&path, &text).unwrap();
        let mut child = blastmap()
            .arg("analyze")
            .arg(&path)
            .args([
                "--fail",
                "region:region-0",
                "--format",
                "json",
                "-o",
                "/dev/null",
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + attempt * 25));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        let status = wait_with_deadline(&mut child, Duration::from_secs(120));
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.signal(), None, "killed by a signal: {err}");
        assert!(matches!(status.code(), Some(0 | 2)), "{status:?}: {err}");
        if err.contains("changed while blastmap was reading it") {
            assert_eq!(status.code(), Some(2));
            assert!(err.contains("big.json"), "{err}");
            reported += 1;
        }
    }
    assert!(reported > 0, "no run was caught reading the truncated map");
}

#[test]
fn a_signal_during_a_long_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("estate.json");
    std::fs::write(&estate, large_estate(300_000)).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("report.json");
    let mut caught = 0;
    for _ in 0..5 {
        let mut child = blastmap()
            .arg("analyze")
            .arg(&estate)
            .args(["--fail", "region:region-0", "--format", "json", "-o"])
            .arg(&target)
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut seen = false;
        while start.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none() {
            if has_temporary(&out_dir) {
                seen = true;
                // SAFETY: plain kill(2) on our own child's pid.
                unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
                break;
            }
        }
        let status = wait_with_deadline(&mut child, Duration::from_secs(120));
        assert!(!has_temporary(&out_dir), "a temporary file was left behind");
        if target.exists() {
            // The rename won the race: the report must then be whole.
            let text = std::fs::read_to_string(&target).unwrap();
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "half a report was published"
            );
        } else if seen && status.code() == Some(143) {
            caught += 1;
        }
        let _ = std::fs::remove_file(&target);
    }
    assert!(caught > 0, "no run was interrupted while writing");
}

fn has_temporary(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
}
