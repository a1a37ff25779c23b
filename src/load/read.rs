//! Reading input files safely: each file opened once (a FIFO can be read
//! only once), with a size budget and an early stop on NUL bytes (so
//! `/dev/zero` or a binary file is refused at once instead of read until
//! memory runs out), and large regular files mapped with a guard that turns
//! a file truncated under the process (SIGBUS) into a clear message.

use std::io::Read;
use std::path::Path;

/// The largest input blastmap reads (2 GiB, less the two bytes a position
/// of 32 bits cannot hold): ten times an estate of a million nodes (about
/// 200 MB of JSON), below what would exhaust memory.
pub const MAX_INPUT_BYTES: u64 = super::raw::At::MAX_OFFSET;

/// Why an input was refused.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system's error.
    Io(std::io::Error),
    /// The input holds a NUL byte at this offset: it is not a text file.
    Nul(u64),
    /// The input is larger than the budget.
    TooLarge(u64),
    /// The input is UTF-16 text (a byte-order mark, or every other byte
    /// NUL): an editor's "Unicode" setting, to be saved as UTF-8.
    Utf16,
    /// The input is not UTF-8 text; the bytes are kept so that a message
    /// can show where the first bad byte stands.
    NotUtf8(std::string::FromUtf8Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Nul(at) => write!(
                f,
                "it holds a NUL byte at byte {at}: it is not a text file (a device such as /dev/zero, or binary data)"
            ),
            ReadError::TooLarge(limit) => write!(
                f,
                "it is larger than {} GiB, the most blastmap reads",
                limit.div_ceil(1 << 30)
            ),
            ReadError::Utf16 => write!(f, "it is UTF-16 text; blastmap reads UTF-8"),
            ReadError::NotUtf8(e) => write!(f, "it is not UTF-8 text: {e}"),
        }
    }
}

/// Reads a whole file as text from an open handle, in chunks, stopping at
/// the first NUL byte or past `limit` bytes. Works for regular files,
/// FIFOs and devices alike, and reads each only once.
pub fn read_text_bounded(file: impl Read, limit: u64) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    let mut reader = file.take(limit.saturating_add(1));
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        if let Some(i) = chunk[..n].iter().position(|&b| b == 0) {
            let head = if bytes.is_empty() {
                &chunk[..n]
            } else {
                &bytes
            };
            if looks_like_utf16(head) {
                return Err(ReadError::Utf16);
            }
            return Err(ReadError::Nul((bytes.len() + i) as u64));
        }
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooLarge(limit));
        }
    }
    String::from_utf8(bytes).map_err(ReadError::NotUtf8)
}

/// `bytes` as text, checked to be UTF-8; a large file's second half is
/// checked on another core.
///
/// The check reads every byte of the input before parsing starts (6 ms of
/// a 10,000-service estate's 16 MB, 75 ms at 206 MB, one core); two
/// halves that are each UTF-8 make UTF-8 text whatever the cut, so the
/// halves are checked side by side and only a failing input is checked
/// again whole, for the exact position of its first bad byte.
pub fn utf8_text(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if bytes.len() < UTF8_ON_TWO_CORES_FROM_BYTES {
        return std::str::from_utf8(bytes);
    }
    // Cut before an ASCII byte, a character boundary of any UTF-8 text,
    // so that valid text is never cut inside a character.
    let middle = bytes.len() / 2;
    let cut = bytes[middle..]
        .iter()
        .position(u8::is_ascii)
        .map_or(bytes.len(), |i| middle + i);
    let (head, tail) = bytes.split_at(cut);
    let (mut head_ok, mut tail_ok) = (false, false);
    crate::graph::on_two_cores(
        "check-utf8",
        true,
        || head_ok = std::str::from_utf8(head).is_ok(),
        || tail_ok = std::str::from_utf8(tail).is_ok(),
    );
    if head_ok && tail_ok {
        // SAFETY: `head` and `tail` are both UTF-8 and `bytes` is exactly
        // `head` followed by `tail`; UTF-8 text followed by UTF-8 text is
        // UTF-8 text.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

/// Inputs at least this large are checked for UTF-8 on two cores.
const UTF8_ON_TWO_CORES_FROM_BYTES: usize = 4 << 20;

/// Whether text starts as UTF-16 does: a byte-order mark, or ASCII
/// characters each followed (little-endian) or preceded (big-endian) by a
/// NUL byte. Zeros alone (`/dev/zero`) are not UTF-16.
pub fn looks_like_utf16(head: &[u8]) -> bool {
    match head {
        [0xff, 0xfe, ..] | [0xfe, 0xff, ..] => true,
        [a, 0, b, 0, ..] | [0, a, 0, b, ..] => *a != 0 && *b != 0,
        _ => false,
    }
}

/// Opens `path` once and reads it as text within [`MAX_INPUT_BYTES`].
pub fn read_path_bounded(path: &Path) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    read_text_bounded(file, MAX_INPUT_BYTES)
}

/// Asks the kernel for 4 KiB pages instead of transparent huge pages when
/// the inputs are large. On a virtual machine that hands free memory back
/// to its host (virtio-balloon free page reporting), the first touch of a
/// fresh 2 MiB page costs about 2 ms (the host faults it in again), while
/// 4 KiB pages come from memory the guest kept (0.3 ms per MiB); a large
/// estate touches hundreds of megabytes once, so the first cost dominated
/// its load. Small estates fit in recently freed huge pages, which stay
/// cheaper, so they keep the default.
pub fn prefer_small_pages_for(input_bytes: u64) {
    if input_bytes < SMALL_PAGES_FROM_BYTES {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only
        // how this process's future page faults are served.
        let done = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
        tracing::debug!(
            input_bytes,
            ok = done == 0,
            "asked the kernel for small pages"
        );
    }
}

/// Inputs at least this large (in total) are loaded with small pages; the
/// figures behind the threshold are in BENCHMARKS.md (issue 24, third part).
/// Their parsed documents are also freed before the engine starts.
pub(crate) const SMALL_PAGES_FROM_BYTES: u64 = 64 << 20;

/// Maps a regular file read-only, after arming the SIGBUS guard with its
/// name: if another process truncates the file while blastmap reads the
/// map, the process prints which files changed and exits with code 2
/// instead of being killed by the signal.
pub fn map_guarded(file: &std::fs::File, name: &str) -> std::io::Result<memmap2::Mmap> {
    sigbus::arm(name);
    // SAFETY: the map is read-only and blastmap never writes estate files.
    // Another process truncating the file while it is mapped makes a read
    // fault with SIGBUS; `sigbus::arm` installed a handler that reports it
    // and exits, so no read ever sees an invalid page and returns.
    unsafe { memmap2::Mmap::map(file) }
}

#[cfg(unix)]
mod sigbus {
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::{Mutex, Once};

    /// The message the handler writes, leaked so the handler can read it
    /// without allocating or locking (neither is allowed in a handler).
    static MESSAGE: AtomicPtr<&'static [u8]> = AtomicPtr::new(std::ptr::null_mut());
    static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());
    static INSTALL: Once = Once::new();

    /// Adds `name` to the files the message names and installs the handler
    /// once.
    pub fn arm(name: &str) {
        let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
        names.push(crate::model::text::escape_for_display(name).into_owned());
        let text = format!(
            "error[file-changed]: an estate file changed while blastmap was reading it (was it truncated or rewritten?): {}\n  = help: run blastmap again once the file is complete\n",
            names.join(", ")
        );
        let bytes: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
        let slot: &'static mut &'static [u8] = Box::leak(Box::new(bytes));
        MESSAGE.store(slot, Ordering::Release);
        INSTALL.call_once(install);
    }

    fn install() {
        // SAFETY: `on_sigbus` only calls async-signal-safe functions
        // (`write`, `_exit`) and reads a pointer published before the map
        // was created; the sigaction struct is fully initialised.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    }

    extern "C" fn on_sigbus(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
        let message = MESSAGE.load(Ordering::Acquire);
        // SAFETY: a non-null pointer was leaked by `arm` and is never freed.
        if let Some(bytes) = unsafe { message.as_ref() } {
            unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
        }
        unsafe { libc::_exit(2) };
    }
}

#[cfg(not(unix))]
mod sigbus {
    pub fn arm(_: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_byte_stops_the_read_at_once() {
        let endless = std::io::repeat(0);
        match read_text_bounded(endless, MAX_INPUT_BYTES) {
            Err(ReadError::Nul(0)) => {}
            other => panic!("expected a NUL error, got {other:?}"),
        }
    }

    #[test]
    fn endless_text_stops_at_the_budget() {
        let endless = std::io::repeat(b'a');
        match read_text_bounded(endless, 1 << 20) {
            Err(ReadError::TooLarge(limit)) => assert_eq!(limit, 1 << 20),
            other => panic!("expected a size error, got {other:?}"),
        }
    }

    #[test]
    fn text_within_the_budget_is_read_whole() {
        let text = "version: 1\n".repeat(10_000);
        let read = read_text_bounded(text.as_bytes(), text.len() as u64).unwrap();
        assert_eq!(read, text);
    }

    #[test]
    fn utf16_text_is_named_as_such_but_zeros_are_not() {
        let utf16: Vec<u8> = "\u{feff}{\"version\": 1}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(matches!(
            read_text_bounded(&utf16[..], 1 << 20),
            Err(ReadError::Utf16)
        ));
        let big_endian_without_mark: Vec<u8> =
            "{}".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(matches!(
            read_text_bounded(&big_endian_without_mark[..], 1 << 20),
            Err(ReadError::Utf16)
        ));
        assert!(matches!(
            read_text_bounded(&[0u8; 16][..], 1 << 20),
            Err(ReadError::Nul(0))
        ));
    }

    #[test]
    fn invalid_utf8_is_reported() {
        assert!(matches!(
            read_text_bounded(&[0xff, 0xfe][..], 10),
            Err(ReadError::NotUtf8(_))
        ));
    }

    /// Large texts checked on two cores give exactly what one check gives:
    /// the text itself, or the same first bad byte, wherever it stands
    /// (in either half, at the cut, in a character the cut would split).
    #[test]
    fn utf8_checked_on_two_cores_is_checked_as_on_one() {
        let size = UTF8_ON_TWO_CORES_FROM_BYTES + 1000;
        let mut texts: Vec<Vec<u8>> = Vec::new();
        texts.push(vec![b'a'; size]);
        // Characters of 2, 3 and 4 bytes across the middle, and a long run
        // of them there, so the cut looks far for an ASCII byte.
        let wide: String = "é€😀x".repeat(size / 10);
        texts.push(wide.clone().into_bytes());
        texts.push("€".repeat(size / 3).into_bytes());
        for at in [0, 1, size / 2 - 1, size / 2, size / 2 + 1, size - 1] {
            for bad in [&[0xff][..], &[0x80], &[0xe2, 0x82], &[0xf0, 0x9f, 0x98]] {
                let mut text = vec![b'a'; size];
                let end = (at + bad.len()).min(size);
                text[at..end].copy_from_slice(&bad[..end - at]);
                texts.push(text);
            }
            let mut text = wide.clone().into_bytes();
            let last = text.len() - 1;
            text[at.min(last)] = 0xc3;
            texts.push(text);
        }
        for text in &texts {
            let one = std::str::from_utf8(text);
            let two = utf8_text(text);
            match (one, two) {
                (Ok(a), Ok(b)) => assert_eq!(a.as_ptr(), b.as_ptr()),
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("one core: {a:?}, two cores: {b:?}"),
            }
        }
        assert!(texts.iter().filter(|t| utf8_text(t).is_ok()).count() >= 3);
    }
}
