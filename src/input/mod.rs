//! Reading inputs: tables (CSV/TSV and gzip, parsed in parallel chunks;
//! `.npy` directories and Parquet as column stores, read as typed columns
//! where they can be), the in-memory builders, value parsing, and the
//! row accounting that puts every input row in exactly one bucket; and the
//! `.npy` columns the streaming 1:1 audit reads directly.

pub mod accounting;
pub mod ages;
pub mod attributes;
pub mod binary;
pub mod builder;
pub mod chunks;
pub mod codes;
pub mod columnar;
pub mod comparisons;
pub mod labels;
pub mod npy;
pub mod npy_dir;
pub mod pairing;
pub mod parquet;
pub mod published;
pub mod rows;
pub mod rules;
pub mod searches;
pub mod sense;
pub mod subjects;
pub mod table;
pub mod typed;
pub mod values;

pub use accounting::{Accounting, Dropped, Multiline};
pub use ages::{Ages, EstimateColumns};
pub use comparisons::{AttributeData, Comparisons, VerifyColumns};
pub use labels::{ClassifyColumns, Labelled};
pub use published::{Published, SummarizeColumns};
pub use searches::{IdentifyColumns, Searches};
pub use table::{InputFile, Table, TextFormat};
