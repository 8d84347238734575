//! Reading one inventory file into per-prefix tallies: gzip CSV as one stream, Parquet column by column
//! (only `key`, `encryption_status` and `is_delete_marker`), each checked against the manifest's size and
//! MD5 before its counts are used.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use md5::{Digest, Md5};
use parquet::basic::Type as PhysicalType;
use parquet::column::reader::{ColumnReader, ColumnReaderImpl, get_typed_column_reader};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType};
use parquet::file::reader::{FileReader, SerializedFileReader};

use super::manifest::{ENCRYPTION_STATUS, Format, KEY, ManifestFile};
use super::tally::{Limits, PrefixSet, Status, Tally, decode_key};

const BATCH: usize = 8192;

/// The longest S3 object key, in bytes (S3 User Guide, "Naming Amazon S3 objects": "The object key name
/// is a sequence of Unicode characters with UTF-8 encoding of up to 1,024 bytes long"). A longer key is no
/// key S3 wrote: the file is refused.
pub const MAX_KEY_BYTES: usize = 1024;
/// The longest CSV line: twenty-odd fields, the key URL-encoded (at most three bytes per key byte), far
/// below this. A longer line (one huge field, millions of commas) stops the file before it fills memory.
pub const MAX_CSV_LINE_BYTES: usize = 64 * 1024;
/// The most a Parquet row group's `key` or `encryption_status` column may hold uncompressed, by the
/// file's own metadata: a larger one is refused before it is decoded.
pub const MAX_PARQUET_COLUMN_CHUNK: i64 = 256 * 1024 * 1024;

/// Counts one file's rows under the prefixes. The error names what failed; the caller names the file.
pub fn read_file(
    path: &Path,
    expected: &ManifestFile,
    format: Format,
    columns: &[String],
    prefixes: &PrefixSet,
    limits: Limits,
) -> Result<Vec<Tally>, String> {
    match format {
        Format::Csv => read_csv_gz(path, expected, columns, prefixes, limits),
        Format::Parquet => {
            check_whole(path, expected)?;
            read_parquet(path, prefixes, limits).map_err(|e| format!("not a readable Parquet inventory file: {e}"))
        }
        Format::Orc => Err("ORC inventory files are not read by atrest (no Rust ORC reader without the whole \
                            Apache Arrow stack); configure the inventory as CSV or Parquet"
            .into()),
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    md5: Md5,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R: Read> Hashing<R> {
    /// Reads what is left, then compares with the manifest: a short file is truncated, a different digest
    /// is corrupt.
    fn verify(mut self, expected: &ManifestFile) -> Result<(), String> {
        io::copy(&mut self, &mut io::sink()).map_err(|e| format!("cannot read: {e}"))?;
        if self.bytes != expected.size {
            return Err(format!(
                "{} bytes where the manifest lists {}: the file is truncated or was replaced",
                self.bytes, expected.size
            ));
        }
        let digest: String = self.md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
        if digest != expected.md5 {
            return Err(format!(
                "its MD5 is {digest}, the manifest's MD5checksum is {}: the file is corrupt or was replaced",
                expected.md5
            ));
        }
        Ok(())
    }
}

fn check_whole(path: &Path, expected: &ManifestFile) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    Hashing { inner: io::BufReader::with_capacity(1 << 20, file), md5: Md5::new(), bytes: 0 }.verify(expected)
}

fn read_csv_gz(
    path: &Path,
    expected: &ManifestFile,
    columns: &[String],
    prefixes: &PrefixSet,
    limits: Limits,
) -> Result<Vec<Tally>, String> {
    let position = |name: &str| columns.iter().position(|c| c == name);
    let (Some(key_at), Some(status_at)) = (position(KEY), position(ENCRYPTION_STATUS)) else {
        return Err("the manifest's fileSchema lacks Key or EncryptionStatus".into());
    };
    let delete_marker_at = position("IsDeleteMarker");
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut hashing = Hashing { inner: file, md5: Md5::new(), bytes: 0 };
    let counted = {
        let gz = flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(1 << 18, &mut hashing));
        let lines = LineLimit { inner: gz, since_newline: 0 };
        let mut csv = csv::ReaderBuilder::new().has_headers(false).buffer_capacity(1 << 18).from_reader(lines);
        let mut record = csv::ByteRecord::new();
        let mut decoded = Vec::with_capacity(256);
        let mut tallies = vec![Tally::default(); prefixes.len()];
        let mut outcome = Ok(());
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    outcome = Err(format!("not a gzip CSV inventory file: {e}"));
                    break;
                }
            }
            if record.len() != columns.len() {
                let line = record.position().map_or(0, |p| p.line());
                outcome = Err(format!(
                    "line {line} has {} columns where the manifest's fileSchema lists {}",
                    record.len(),
                    columns.len()
                ));
                break;
            }
            if delete_marker_at.is_some_and(|i| record.get(i) == Some(b"true")) {
                continue;
            }
            let key = decode_key(record.get(key_at).unwrap_or_default(), &mut decoded);
            if key.len() > MAX_KEY_BYTES {
                let line = record.position().map_or(0, |p| p.line());
                outcome = Err(too_long_key(key.len(), &format!("line {line}")));
                break;
            }
            // A folder marker holds no document, as in a listing.
            if key.is_empty() || key.ends_with(b"/") {
                continue;
            }
            let raw = record.get(status_at).unwrap_or_default();
            let status = Status::parse(raw);
            prefixes.matching(key, |i| tallies[i].add(key, status, raw, limits));
        }
        outcome.map(|()| tallies)
    };
    // The size and digest speak first: a truncated file also fails to inflate, and "truncated" is the
    // useful word.
    hashing.verify(expected)?;
    counted
}

fn too_long_key(bytes: usize, at: &str) -> String {
    format!("{at} holds a key of {bytes} bytes; S3 keys are at most {MAX_KEY_BYTES}: not a report S3 wrote")
}

/// Ends a stream with an error when a line grows past `MAX_CSV_LINE_BYTES`, so that no field or record
/// is buffered beyond it.
struct LineLimit<R> {
    inner: R,
    since_newline: usize,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > MAX_CSV_LINE_BYTES {
                    return Err(io::Error::other(format!(
                        "a line longer than {MAX_CSV_LINE_BYTES} bytes: no inventory row is that long"
                    )));
                }
            }
        }
        Ok(n)
    }
}

/// A column's reader, or `None` when the file has no such column.
fn column(schema: &parquet::schema::types::SchemaDescriptor, name: &str) -> Option<(usize, i16)> {
    schema.columns().iter().position(|c| c.path().string() == name).map(|i| (i, schema.column(i).max_def_level()))
}

fn read_parquet(path: &Path, prefixes: &PrefixSet, limits: Limits) -> Result<Vec<Tally>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let reader = SerializedFileReader::new(file).map_err(|e| e.to_string())?;
    let schema = reader.metadata().file_metadata().schema_descr();
    let (Some(key), Some(status)) = (column(schema, "key"), column(schema, "encryption_status")) else {
        return Err("the file has no key or encryption_status column".into());
    };
    for (i, _) in [key, status] {
        if schema.column(i).physical_type() != PhysicalType::BYTE_ARRAY {
            return Err(format!("column {} is not a binary (string) column", schema.column(i).name()));
        }
    }
    let delete_marker =
        column(schema, "is_delete_marker").filter(|(i, _)| schema.column(*i).physical_type() == PhysicalType::BOOLEAN);
    let mut tallies = vec![Tally::default(); prefixes.len()];
    let mut keys = Batch::<ByteArrayType>::default();
    let mut statuses = Batch::<ByteArrayType>::default();
    let mut markers = Batch::<BoolType>::default();
    for g in 0..reader.num_row_groups() {
        // Decoding allocates what the metadata says a column holds: refuse a huge one before it is read.
        let meta = reader.metadata().row_group(g);
        for (i, _) in [key, status] {
            let size = meta.column(i).uncompressed_size();
            if size > MAX_PARQUET_COLUMN_CHUNK {
                return Err(format!(
                    "row group {g}'s {} column holds {size} bytes uncompressed, more than the {} MiB atrest \
                     decodes at once",
                    schema.column(i).name(),
                    MAX_PARQUET_COLUMN_CHUNK >> 20
                ));
            }
        }
        let group = reader.get_row_group(g).map_err(|e| e.to_string())?;
        let open = |i: usize| group.get_column_reader(i).map_err(|e| e.to_string());
        let mut key_reader = get_typed_column_reader::<ByteArrayType>(open(key.0)?);
        let mut status_reader = get_typed_column_reader::<ByteArrayType>(open(status.0)?);
        let mut marker_reader: Option<ColumnReaderImpl<BoolType>> = match delete_marker {
            Some((i, _)) => match open(i)? {
                r @ ColumnReader::BoolColumnReader(_) => Some(get_typed_column_reader::<BoolType>(r)),
                _ => None,
            },
            None => None,
        };
        loop {
            let rows = keys.read(&mut key_reader, key.1)?;
            if rows == 0 {
                break;
            }
            if statuses.read(&mut status_reader, status.1)? != rows {
                return Err("the key and encryption_status columns have different row counts".into());
            }
            if let Some(r) = marker_reader.as_mut()
                && markers.read(r, delete_marker.map_or(0, |d| d.1))? != rows
            {
                return Err("the key and is_delete_marker columns have different row counts".into());
            }
            let (mut kv, mut sv, mut mv) = (0, 0, 0);
            for row in 0..rows {
                let key_value = keys.next(row, key.1, &mut kv);
                let status_value = statuses.next(row, status.1, &mut sv);
                let deleted = marker_reader.is_some()
                    && markers.next(row, delete_marker.map_or(0, |d| d.1), &mut mv).is_some_and(|b| *b);
                let Some(k) = key_value.map(ByteArray::data) else { continue };
                if k.len() > MAX_KEY_BYTES {
                    return Err(too_long_key(k.len(), &format!("row group {g}")));
                }
                if deleted || k.is_empty() || k.ends_with(b"/") {
                    continue;
                }
                let raw = status_value.map(ByteArray::data).unwrap_or_default();
                let s = Status::parse(raw);
                prefixes.matching(k, |i| tallies[i].add(k, s, raw, limits));
            }
        }
    }
    Ok(tallies)
}

/// One batch of a column: its definition levels and its non-null values.
struct Batch<T: parquet::data_type::DataType> {
    levels: Vec<i16>,
    values: Vec<T::T>,
}

impl<T: parquet::data_type::DataType> Default for Batch<T> {
    fn default() -> Self {
        Batch { levels: Vec::with_capacity(BATCH), values: Vec::with_capacity(BATCH) }
    }
}

impl<T: parquet::data_type::DataType> Batch<T> {
    fn read(&mut self, reader: &mut ColumnReaderImpl<T>, max_def: i16) -> Result<usize, String> {
        self.levels.clear();
        self.values.clear();
        let levels = (max_def > 0).then_some(&mut self.levels);
        let (records, _, _) = reader.read_records(BATCH, levels, None, &mut self.values).map_err(|e| e.to_string())?;
        Ok(records)
    }

    /// The row's value, `None` when it is null; `cursor` walks the non-null values.
    fn next(&self, row: usize, max_def: i16, cursor: &mut usize) -> Option<&T::T> {
        if max_def > 0 && self.levels.get(row) != Some(&max_def) {
            return None;
        }
        let v = self.values.get(*cursor);
        *cursor += 1;
        v
    }
}
