//! Paths as a CI system wants them: relative to the repository's root,
//! whatever directory insats ran in and however its paths were given, so
//! that an annotation lands on the file a pull request changed.

use std::path::{Component, Path, PathBuf};

use insats::{SourceSet, Validation};

/// The root that paths are made relative to: `--root` when given, or the
/// nearest directory above the working directory holding `.git` (a
/// directory, or a file in a worktree or submodule), or the working
/// directory itself.
pub fn root(given: Option<&Path>, cwd: &Path) -> PathBuf {
    if let Some(root) = given {
        return normal(&cwd.join(root));
    }
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// `path` relative to `root`, with forward slashes' worth of components:
/// resolved against `cwd` and cleaned of `.` and `..` without touching the
/// file system, then, if that does not lie under `root` (a symlinked
/// directory), with both canonicalised. A path outside the root is kept
/// as given.
pub fn relative(path: &Path, root: &Path, cwd: &Path) -> PathBuf {
    let absolute = normal(&cwd.join(path));
    if let Ok(inside) = absolute.strip_prefix(root) {
        return inside.to_path_buf();
    }
    if let (Ok(real), Ok(real_root)) = (absolute.canonicalize(), root.canonicalize())
        && let Ok(inside) = real.strip_prefix(&real_root)
    {
        return inside.to_path_buf();
    }
    path.to_path_buf()
}

/// `.` and `..` taken out lexically.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The paths the CI formats show (the diagnostics' locations and their
/// related locations) made relative to `root`; returns the files read,
/// likewise.
pub fn make_relative(
    sources: &SourceSet,
    validation: &mut Validation,
    root: &Path,
    cwd: &Path,
) -> Vec<PathBuf> {
    for d in &mut validation.diagnostics {
        if let Some(l) = &mut d.location {
            l.file = relative(&l.file, root, cwd);
        }
        for r in &mut d.related {
            r.location.file = relative(&r.location.file, root, cwd);
        }
    }
    sources
        .iter()
        .map(|(_, f)| relative(&f.path, root, cwd))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_to_the_root_however_given() {
        let root = Path::new("/repo");
        let cwd = Path::new("/repo/initiatives/borlange");
        let rel = |p: &str| relative(Path::new(p), root, cwd);
        assert_eq!(
            rel("plan.toml"),
            Path::new("initiatives/borlange/plan.toml")
        );
        assert_eq!(
            rel("../botkyrka/plan.toml"),
            Path::new("initiatives/botkyrka/plan.toml")
        );
        assert_eq!(
            rel("./x/../plan.toml"),
            Path::new("initiatives/borlange/plan.toml")
        );
        assert_eq!(
            rel("/repo/initiatives/a.toml"),
            Path::new("initiatives/a.toml")
        );
        // Outside the repository: as given.
        assert_eq!(rel("/elsewhere/a.toml"), Path::new("/elsewhere/a.toml"));
    }

    #[test]
    fn the_root_is_given_or_found_by_git() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a/b")).unwrap();
        assert_eq!(root(None, &repo.join("a/b")), repo);
        assert_eq!(
            root(Some(Path::new("..")), &repo.join("a/b")),
            repo.join("a")
        );
        // No repository above: the working directory.
        let bare = dir.path().join("bare");
        std::fs::create_dir_all(&bare).unwrap();
        assert_eq!(root(None, &bare), bare);
    }
}
