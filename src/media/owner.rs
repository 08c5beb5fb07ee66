//! Owners of media entries, as tar keeps them: recorded in the archive by id and by name, put
//! back when restoring as root (by name when this system knows it, else by id, as GNU tar
//! does), and left to the running user otherwise (or with `--no-same-owner`).

use std::collections::BTreeMap;
use std::path::Path;

/// An entry's owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// User name, when the system knows one.
    pub user: Option<String>,
    /// Group name, when the system knows one.
    pub group: Option<String>,
}

/// Looks up user and group names by id, once each.
#[derive(Debug, Default)]
pub struct Names {
    users: BTreeMap<u32, Option<String>>,
    groups: BTreeMap<u32, Option<String>>,
}

impl Names {
    /// The owner of a file with these ids, with their names.
    pub fn owner(&mut self, uid: u32, gid: u32) -> Owner {
        let user = self
            .users
            .entry(uid)
            .or_insert_with(|| {
                nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
                    .ok()
                    .flatten()
                    .map(|u| u.name)
            })
            .clone();
        let group = self
            .groups
            .entry(gid)
            .or_insert_with(|| {
                nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
                    .ok()
                    .flatten()
                    .map(|g| g.name)
            })
            .clone();
        Owner {
            uid,
            gid,
            user,
            group,
        }
    }
}

/// Whether this process may give files away (runs as root), so that tar's default is to
/// restore owners.
pub fn can_chown() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The ids to give a restored entry: the archive's names when this system knows them (the
/// same user may have another id here), else its ids.
pub fn ids_here(user: Option<&str>, uid: u32, group: Option<&str>, gid: u32) -> (u32, u32) {
    let uid = user
        .and_then(|n| nix::unistd::User::from_name(n).ok().flatten())
        .map(|u| u.uid.as_raw())
        .unwrap_or(uid);
    let gid = group
        .and_then(|n| nix::unistd::Group::from_name(n).ok().flatten())
        .map(|g| g.gid.as_raw())
        .unwrap_or(gid);
    (uid, gid)
}

/// Gives `path` (never following a symlink) to `uid`:`gid`.
pub fn give(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_by_id_and_by_name() {
        let mut names = Names::default();
        let root = names.owner(0, 0);
        assert_eq!(root.user.as_deref(), Some("root"));
        assert_eq!(ids_here(Some("root"), 12345, Some("root"), 12345), (0, 0));
        // A name this system does not know keeps the archive's ids.
        assert_eq!(
            ids_here(Some("no-such-user-here"), 4242, None, 4343),
            (4242, 4343)
        );
    }
}
