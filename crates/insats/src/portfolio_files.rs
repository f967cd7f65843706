//! A portfolio handed in as bytes: every file of its folder by path, as a
//! browser's folder input, an upload or an archive gives them. It is read
//! as [`crate::validate_paths`] reads a directory, with no file system.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Every file of a portfolio's folder, by its path inside the folder
/// (`initiatives/borlange/plan.toml`), as bytes. [`crate::validate_files`]
/// takes the plan and shared files from it as a directory walk would, and
/// the ledger exports the plans declare.
#[derive(Debug, Clone, Default)]
pub struct PortfolioFiles {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl PortfolioFiles {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file, or replaces the one at the same path. The path uses `/`
    /// between its parts, relative to the folder the files came from.
    pub fn insert(&mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The plan and shared files, in path order: every `*.toml` file that
    /// is not hidden and not inside a hidden folder (a part of its path
    /// below the folder starting with `.`, such as `.git`), as a directory
    /// walk skips them.
    pub(crate) fn plan_files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        let folder = common_folder(self.files.keys().map(PathBuf::as_path));
        self.files
            .iter()
            .filter(move |(path, _)| {
                let below = path.strip_prefix(&folder).unwrap_or(path);
                path.extension().is_some_and(|x| x == "toml")
                    && !below.components().any(|c| match c {
                        Component::Normal(part) => part.to_string_lossy().starts_with('.'),
                        _ => false,
                    })
            })
            .map(|(path, bytes)| (path.as_path(), bytes.as_slice()))
    }
}

/// The deepest folder that holds every one of `paths`: the folder the
/// files were handed in from.
fn common_folder<'a>(paths: impl Iterator<Item = &'a Path>) -> PathBuf {
    let mut folder: Option<PathBuf> = None;
    for path in paths {
        let parent = path.parent().unwrap_or(Path::new(""));
        folder = Some(match folder {
            None => parent.to_owned(),
            Some(common) => common
                .components()
                .zip(parent.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    folder.unwrap_or_default()
}

impl crate::LedgerFiles for PortfolioFiles {
    /// The export at `path`, compared with each file's path after `.` and
    /// `..` are taken out of both. A path outside the folder the files
    /// came from (the deepest folder that holds them all) is refused, with
    /// the words a directory on disk gets.
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        const OUTSIDE: &str = "it lies outside the portfolio's directory";
        if let Some(bytes) = self.files.get(path) {
            return Ok(bytes.clone());
        }
        let wanted = lexical(path).ok_or(OUTSIDE)?;
        let files: Vec<(PathBuf, &Vec<u8>)> = self
            .files
            .iter()
            .filter_map(|(file, bytes)| Some((lexical(file)?, bytes)))
            .collect();
        if let Some((_, bytes)) = files.iter().find(|(file, _)| *file == wanted) {
            return Ok((*bytes).clone());
        }
        if wanted.starts_with(common_folder(files.iter().map(|(f, _)| f.as_path()))) {
            Err("no such file".to_owned())
        } else {
            Err(OUTSIDE.to_owned())
        }
    }
}

/// `path` with its `.` and `..` parts worked out, or `None` when a
/// relative path climbs above its start.
pub(crate) fn lexical(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                // Above the root is the root.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => return None,
            },
            other => parts.push(other),
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LedgerFiles;

    #[test]
    fn plan_files_skip_hidden_parts_and_other_extensions() {
        let mut files = PortfolioFiles::new();
        for path in [
            "p/b.toml",
            "p/a.toml",
            "p/.git/x.toml",
            "p/.hidden.toml",
            "p/huvudbok.csv",
            "p/sub/c.toml",
            "p/notes.toml.txt",
        ] {
            files.insert(path, Vec::new());
        }
        let paths: Vec<_> = files.plan_files().map(|(p, _)| p.to_owned()).collect();
        let expected: Vec<PathBuf> = ["p/a.toml", "p/b.toml", "p/sub/c.toml"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(paths, expected);
    }

    #[test]
    fn an_export_is_found_through_dot_dot_but_not_outside_the_folder() {
        let mut files = PortfolioFiles::new();
        files.insert("p/delat/huvudbok.csv", b"x".to_vec());
        files.insert("p/kommun/plan.toml", Vec::new());
        assert_eq!(
            files.read(Path::new("p/kommun/../delat/./huvudbok.csv")),
            Ok(b"x".to_vec())
        );
        assert_eq!(
            files.read(Path::new("p/../../p/delat/huvudbok.csv")),
            Err("it lies outside the portfolio's directory".to_owned())
        );
        assert_eq!(
            files.read(Path::new("p/kommun/../../q/huvudbok.csv")),
            Err("it lies outside the portfolio's directory".to_owned())
        );
        assert_eq!(
            files.read(Path::new("p/delat/saknas.csv")),
            Err("no such file".to_owned())
        );
    }
}
