//! Everything about the output file: the plain-format text, the sink, and the ordered writer.

pub mod compress;
pub mod encode;
pub mod pgz;
pub mod plain;
pub mod sink;
