//! Settings from a TOML file (`--config FILE` or `LANSHELF_CONFIG`), applied through the
//! environment before the command line is parsed: every key of the file names one `LANSHELF_*`
//! variable (`addr = "0.0.0.0:8080"` is `LANSHELF_ADDR`, `import_cache_mib = 64` is
//! `LANSHELF_IMPORT_CACHE_MIB`, `puid = 1000` is `PUID`), set only when the environment does not
//! already hold it. So the precedence is flag > environment > file > default, and every flag a
//! subcommand adds with `env = ...` is a file key at once. The known keys are read from clap's
//! own definitions; an unknown key is an error. Owns the file format and the `lanshelf config`
//! listing; knows nothing of what a setting means.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The variable that names the configuration file.
pub const CONFIG_ENV: &str = "LANSHELF_CONFIG";

/// What can go wrong with a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the configuration file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML.
    #[error("the configuration file {path} is not valid TOML")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: toml::de::Error,
    },
    /// A key no command reads.
    #[error(
        "the configuration file {path} has an unknown setting `{key}` (known settings: {known})"
    )]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// The keys that exist.
        known: String,
    },
    /// A table, array or date where a plain value belongs.
    #[error("the configuration file {path}: `{key}` must be a string, a number or a boolean")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
    },
}

/// One setting that reads an environment variable.
#[derive(Debug, Clone)]
pub struct Setting {
    /// Its key in the configuration file (`addr`).
    pub key: String,
    /// Its environment variable (`LANSHELF_ADDR`).
    pub env: String,
    /// Its default, if any.
    pub default: Option<String>,
    /// Its one-line help.
    pub help: String,
    /// The subcommands that read it (empty: every one).
    pub commands: BTreeSet<String>,
}

/// The file's key for an environment variable: the name without `LANSHELF_`, lower-cased.
pub fn key_for(env: &str) -> String {
    env.strip_prefix("LANSHELF_")
        .unwrap_or(env)
        .to_ascii_lowercase()
}

/// Every setting of every subcommand that reads an environment variable, by key, taken from
/// clap's definitions (so new flags are known without a change here).
pub fn settings(cmd: &clap::Command) -> BTreeMap<String, Setting> {
    let mut out = BTreeMap::new();
    collect(cmd, None, &mut out);
    out
}

fn collect(cmd: &clap::Command, sub: Option<&str>, out: &mut BTreeMap<String, Setting>) {
    for arg in cmd.get_arguments() {
        let Some(env) = arg.get_env().and_then(|e| e.to_str()) else {
            continue;
        };
        if env == CONFIG_ENV {
            continue;
        }
        let key = key_for(env);
        let setting = out.entry(key.clone()).or_insert_with(|| Setting {
            key,
            env: env.to_string(),
            default: arg
                .get_default_values()
                .first()
                .map(|v| v.to_string_lossy().into_owned()),
            help: arg.get_help().map(|h| h.to_string()).unwrap_or_default(),
            commands: BTreeSet::new(),
        });
        match sub {
            Some(name) if !arg.is_global_set() => {
                setting.commands.insert(name.to_string());
            }
            _ => {}
        }
    }
    for s in cmd.get_subcommands() {
        collect(s, Some(s.get_name()), out);
    }
}

/// The configuration file named by `--config FILE` / `--config=FILE` among `args` (before any
/// `--`), else by `LANSHELF_CONFIG`.
pub fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let Some(text) = arg.to_str() else { continue };
        if text == "--" {
            break;
        }
        if text == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(value) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(value));
        }
    }
    std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Reads a configuration file into `(environment variable, value)` pairs, checking every key.
pub fn read_file(
    path: &Path,
    known: &BTreeMap<String, Setting>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path, known)
}

/// Parses the text of a configuration file (see [`read_file`]).
pub fn parse(
    text: &str,
    path: &Path,
    known: &BTreeMap<String, Setting>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|source| ConfigError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some(setting) = known.get(&key.replace('-', "_")) else {
            return Err(ConfigError::UnknownKey {
                path: path.to_path_buf(),
                key,
                known: known.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        };
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(ConfigError::BadValue {
                    path: path.to_path_buf(),
                    key,
                })
            }
        };
        out.push((setting.env.clone(), value));
    }
    Ok(out)
}

/// What [`load`] took from a file.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The file.
    pub path: Option<PathBuf>,
    /// The variables it set (those the environment did not already hold).
    pub vars: BTreeSet<String>,
}

static APPLIED: OnceLock<Applied> = OnceLock::new();

/// Reads the configuration file, if one is named, and sets the variables of its keys that the
/// environment does not hold. Call it first thing in `main`, before any thread starts and before
/// clap parses.
pub fn load(args: &[OsString], cmd: &clap::Command) -> Result<(), ConfigError> {
    let mut applied = Applied::default();
    if let Some(path) = config_path(args) {
        for (env, value) in read_file(&path, &settings(cmd))? {
            if std::env::var_os(&env).is_none() {
                // Single-threaded here: nothing else reads the environment yet.
                std::env::set_var(&env, value);
                applied.vars.insert(env);
            }
        }
        applied.path = Some(path);
    }
    let _ = APPLIED.set(applied);
    Ok(())
}

/// What [`load`] took from the file (nothing when it was not called).
pub fn applied() -> Applied {
    APPLIED.get().cloned().unwrap_or_default()
}

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A flag on this command line.
    Flag,
    /// The environment.
    Environment,
    /// The configuration file.
    File,
    /// The built-in default.
    Default,
    /// Not set.
    Unset,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Flag => "flag",
            Source::Environment => "environment",
            Source::File => "config file",
            Source::Default => "default",
            Source::Unset => "unset",
        })
    }
}

/// The effective value of a setting and where it came from, for `lanshelf config`. `flag` is
/// the value given on this command line, if any (only global flags can be).
pub fn effective(setting: &Setting, flag: Option<String>) -> (String, Source) {
    if let Some(v) = flag {
        return (v, Source::Flag);
    }
    if let Some(v) = std::env::var_os(&setting.env) {
        let source = if applied().vars.contains(&setting.env) {
            Source::File
        } else {
            Source::Environment
        };
        return (v.to_string_lossy().into_owned(), source);
    }
    match &setting.default {
        Some(d) => (d.clone(), Source::Default),
        None => (String::new(), Source::Unset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn known() -> BTreeMap<String, Setting> {
        settings(&crate::cli::Cli::command())
    }

    #[test]
    fn keys_come_from_clap() {
        let k = known();
        assert_eq!(k["addr"].env, "LANSHELF_ADDR");
        assert_eq!(k["import_cache_mib"].env, "LANSHELF_IMPORT_CACHE_MIB");
        assert_eq!(k["puid"].env, "PUID");
        assert_eq!(k["db"].default.as_deref(), Some("./catalog.sqlite"));
        assert!(k["db"].commands.is_empty(), "global: every command");
        assert!(k["dumps"].commands.contains("start"));
        assert!(!k.contains_key("config"));
    }

    #[test]
    fn file_values_become_variables() {
        let text = "addr = \"0.0.0.0:8080\"\nimport_cache_mib = 32\nno-index = true\npuid = 1026\n";
        let mut got = parse(text, Path::new("x.toml"), &known()).unwrap();
        got.sort();
        assert_eq!(
            got,
            [
                ("LANSHELF_ADDR".to_string(), "0.0.0.0:8080".to_string()),
                ("LANSHELF_IMPORT_CACHE_MIB".into(), "32".into()),
                ("LANSHELF_NO_INDEX".into(), "true".into()),
                ("PUID".into(), "1026".into()),
            ]
        );
    }

    #[test]
    fn unknown_keys_and_tables_are_refused() {
        let e = parse("adr = \"x\"", Path::new("x.toml"), &known()).unwrap_err();
        assert!(e.to_string().contains("unknown setting `adr`"), "{e}");
        assert!(e.to_string().contains("addr"), "lists the known keys");
        let e = parse("[serve]\naddr = \"x\"", Path::new("x.toml"), &known()).unwrap_err();
        assert!(e.to_string().contains("unknown setting `serve`"), "{e}");
        let e = parse("addr = [1]", Path::new("x.toml"), &known()).unwrap_err();
        assert!(matches!(e, ConfigError::BadValue { .. }), "{e}");
        let e = parse("addr = ", Path::new("x.toml"), &known()).unwrap_err();
        assert!(matches!(e, ConfigError::Parse { .. }), "{e}");
    }

    #[test]
    fn the_file_is_found_on_the_command_line() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_path(&args(&["lanshelf", "--config", "a.toml", "serve"])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            config_path(&args(&["lanshelf", "serve", "--config=b.toml"])),
            Some(PathBuf::from("b.toml"))
        );
    }
}
