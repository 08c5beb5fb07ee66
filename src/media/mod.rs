//! The media half of an application snapshot: archive a media directory with a SHA-256
//! MANIFEST, verify an archive, and restore it safely.

pub mod archive;
pub mod manifest;
pub mod owner;
pub mod restore;
pub mod walk;

use crate::cli::MediaCommand;
use crate::error::{ErrorKind, Result};

/// Runs a `pgsnap media` command; returns the exit code.
pub fn run(cmd: MediaCommand) -> Result<u8> {
    match cmd {
        MediaCommand::Archive { dir, output } => {
            let r = archive::archive(&dir, &output)?;
            for (path, why) in &r.skipped {
                eprintln!("pgsnap: warning: skipped \"{}\": {why}", path.display());
            }
            eprintln!(
                "pgsnap: archived {} files ({} bytes), {} directories, {} symlinks into \"{}\" ({} bytes, sha256 {})",
                r.files, r.bytes, r.dirs, r.symlinks, output.display(), r.archive_size, r.archive_sha256
            );
            Ok(0)
        }
        MediaCommand::Verify { file } => {
            let r = restore::verify(&file)?;
            if r.differences.is_empty() {
                eprintln!(
                    "pgsnap: \"{}\": all {} entries match the MANIFEST",
                    file.display(),
                    r.entries
                );
                Ok(0)
            } else {
                for d in &r.differences {
                    println!("{d}");
                }
                eprintln!(
                    "pgsnap: error: \"{}\": {} difference(s) from the MANIFEST",
                    file.display(),
                    r.differences.len()
                );
                Ok(ErrorKind::Verify.exit_code())
            }
        }
        MediaCommand::Restore {
            file,
            into,
            no_verify,
            max_size,
            no_same_owner,
        } => {
            let r = restore::restore(
                &file,
                &restore::RestoreOptions {
                    into,
                    no_verify,
                    max_size,
                    same_owner: owner::can_chown() && !no_same_owner,
                },
            )?;
            eprintln!(
                "pgsnap: restored {} files ({} bytes) into \"{}\"{}",
                r.files,
                r.bytes,
                r.target.display(),
                if r.verified {
                    ", MANIFEST verified"
                } else {
                    " (no MANIFEST)"
                }
            );
            Ok(0)
        }
    }
}
