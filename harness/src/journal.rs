//! Append-only JSON Lines journals (`samples.jsonl`, `results.jsonl`).
//!
//! Each record is written as one line and synced to disk before the writer takes more (records
//! that arrived meanwhile are written and synced together), so a run killed at any moment
//! (Ctrl-C, `kill -9`, power loss) loses at most the lines being written.
//! On resume a torn last line is cut off; a corrupt line elsewhere is an error naming it.
//! A write that fails (a full disk) is cut back off the file at once, so a line it left half
//! written never stays in the middle of the journal; a journal whose file was deleted under the
//! run (its output directory removed) is an error at the next write, not a silent loss.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: not a valid record: {reason}")]
    Corrupt { path: PathBuf, line: usize, reason: String },
    #[error(
        "{path} already holds {count} records: pass --resume to continue that run, or choose another --out"
    )]
    Exists { path: PathBuf, count: usize },
    #[error("{path}: the file was deleted while the run was writing it (was the output directory removed?)")]
    Deleted { path: PathBuf },
}

pub struct Journal<T> {
    path: PathBuf,
    file: File,
    /// Bytes of whole records in the file: where a failed write is cut back to.
    len: u64,
    _record: PhantomData<T>,
}

impl<T: Serialize + DeserializeOwned> Journal<T> {
    /// Open `path` for appending and return the records already in it. Without `resume`, a
    /// journal that already holds records is refused, so no earlier run is mixed in by mistake.
    pub fn open(path: &Path, resume: bool) -> Result<(Self, Vec<T>), JournalError> {
        let mut records = Vec::new();
        let journal = Self::open_with(path, resume, |r| records.push(r))?;
        Ok((journal, records))
    }

    /// [`Journal::open`], handing each record already in the journal to `visit` instead of
    /// keeping them all: a resumed run keeps what it needs of 100,000 records, not the records.
    pub fn open_with(path: &Path, resume: bool, visit: impl FnMut(T)) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io { path: path.to_path_buf(), source };
        let mut file = OpenOptions::new().create(true).read(true).append(true).open(path).map_err(io)?;
        let mut reader = BufReader::new(file.try_clone().map_err(io)?);
        reader.seek(SeekFrom::Start(0)).map_err(io)?;
        let (count, good_len) = visit_records::<T>(path, reader, visit)?;
        if count > 0 && !resume {
            return Err(JournalError::Exists { path: path.to_path_buf(), count });
        }
        let len = file.metadata().map_err(io)?.len();
        if good_len < len {
            tracing::warn!("{}: dropping a torn last record ({} bytes)", path.display(), len - good_len);
            file.set_len(good_len).map_err(io)?;
            file.seek(SeekFrom::End(0)).map_err(io)?;
        }
        Ok(Journal { path: path.to_path_buf(), file, len: good_len, _record: PhantomData })
    }

    /// Append one record and make it durable.
    pub fn append(&mut self, record: &T) -> Result<(), JournalError> {
        self.append_all(std::slice::from_ref(record))
    }

    /// Append records in order and make them durable together: one sync for the lot (a group
    /// commit), so a writer that falls behind catches up instead of paying a sync per record.
    pub fn append_all(&mut self, records: &[T]) -> Result<(), JournalError> {
        let io = |source| JournalError::Io { path: self.path.clone(), source };
        let mut lines = Vec::new();
        for record in records {
            serde_json::to_writer(&mut lines, record).map_err(|e| io(e.into()))?;
            lines.push(b'\n');
        }
        if let Err(e) = self.file.write_all(&lines).and_then(|()| self.file.sync_data()) {
            // Cut off what part of the lines got in (ENOSPC after a short write): the file ends
            // with whole records whatever comes next. If even that fails, resume cuts it.
            let _ = self.file.set_len(self.len);
            return Err(io(e));
        }
        self.len += lines.len() as u64;
        use std::os::unix::fs::MetadataExt;
        if self.file.metadata().map_err(io)?.nlink() == 0 {
            return Err(JournalError::Deleted { path: self.path.clone() });
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Read every record; return them with the byte length of the well-formed prefix.
fn read_records<T: DeserializeOwned>(path: &Path, file: &File) -> Result<(Vec<T>, u64), JournalError> {
    let io = |source| JournalError::Io { path: path.to_path_buf(), source };
    let mut reader = BufReader::new(file.try_clone().map_err(io)?);
    reader.seek(SeekFrom::Start(0)).map_err(io)?;
    parse_records(path, reader)
}

/// The records of a journal's bytes, with the byte length of the well-formed prefix (what
/// [`Journal::open`] keeps): a torn last line is left out, a corrupt line elsewhere is an error
/// naming it. `path` only names the journal in errors.
pub fn parse_records<T: DeserializeOwned>(
    path: &Path,
    reader: impl BufRead,
) -> Result<(Vec<T>, u64), JournalError> {
    let mut records = Vec::new();
    let (_, good_len) = visit_records(path, reader, |r| records.push(r))?;
    Ok((records, good_len))
}

/// [`parse_records`], one record at a time: returns how many there were and the byte length of
/// the well-formed prefix.
fn visit_records<T: DeserializeOwned>(
    path: &Path,
    mut reader: impl BufRead,
    mut visit: impl FnMut(T),
) -> Result<(usize, u64), JournalError> {
    let io = |source| JournalError::Io { path: path.to_path_buf(), source };
    let mut count = 0;
    let mut good_len = 0u64;
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let complete = buf.ends_with(b"\n");
        if buf.iter().all(u8::is_ascii_whitespace) && complete {
            good_len += n as u64;
            continue;
        }
        // A last line without its newline was being written when the run died.
        if !complete {
            break;
        }
        match serde_json::from_slice::<T>(&buf) {
            Ok(record) => {
                visit(record);
                count += 1;
                good_len += n as u64;
            }
            Err(e) => {
                if reader.fill_buf().map_err(io)?.is_empty() {
                    break; // a torn final line that happens to end in a newline byte
                }
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    line: line_no,
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok((count, good_len))
}

/// Read a journal without opening it for writing (for reports and scoring).
pub fn read_all<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, JournalError> {
    let file = File::open(path).map_err(|source| JournalError::Io { path: path.to_path_buf(), source })?;
    Ok(read_records(path, &file)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Rec {
        id: u32,
        text: String,
    }

    fn rec(id: u32) -> Rec {
        Rec { id, text: format!("sample {id} with \"quotes\"\nand a newline") }
    }

    #[test]
    fn appends_and_reads_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (mut j, old) = Journal::<Rec>::open(&path, false).unwrap();
        assert!(old.is_empty());
        for i in 0..5 {
            j.append(&rec(i)).unwrap();
        }
        drop(j);
        let (_, old) = Journal::<Rec>::open(&path, true).unwrap();
        assert_eq!(old, (0..5).map(rec).collect::<Vec<_>>());
        assert_eq!(read_all::<Rec>(&path).unwrap().len(), 5);
    }

    #[test]
    fn refuses_to_mix_runs_without_resume() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        Journal::<Rec>::open(&path, false).unwrap().0.append(&rec(1)).unwrap();
        let err = Journal::<Rec>::open(&path, false).err().unwrap().to_string();
        assert!(err.contains("--resume"), "{err}");
    }

    #[test]
    fn torn_last_line_is_cut_and_appending_continues() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (mut j, _) = Journal::<Rec>::open(&path, false).unwrap();
        j.append(&rec(0)).unwrap();
        j.append(&rec(1)).unwrap();
        drop(j);
        // Simulate a kill in the middle of writing record 2.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"id":2,"text":"half"#).unwrap();
        drop(f);
        let (mut j, old) = Journal::<Rec>::open(&path, true).unwrap();
        assert_eq!(old.len(), 2);
        j.append(&rec(3)).unwrap();
        drop(j);
        let ids: Vec<u32> = read_all::<Rec>(&path).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![0, 1, 3]);
    }

    #[test]
    fn corrupt_middle_line_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, "{\"id\":0,\"text\":\"a\"}\nnot json\n{\"id\":2,\"text\":\"c\"}\n").unwrap();
        let err = Journal::<Rec>::open(&path, true).err().unwrap().to_string();
        assert!(err.contains("j.jsonl:2"), "{err}");
    }
}
