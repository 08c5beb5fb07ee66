//! The texts libpq reads connection settings from: conninfo strings, URIs, service files and
//! password files.

use super::*;

/// Whether a database name is a conninfo string or a URI (expanded as libpq expands it).
pub(super) fn looks_like_conninfo(s: &str) -> bool {
    s.starts_with("postgresql://") || s.starts_with("postgres://") || s.contains('=')
}

/// Parses a libpq `key=value` string (single quotes, backslash escapes, spaces around `=`).
pub fn parse_keyword_value(s: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let n = chars.len();
    let err = |m: String| Error::usage(m);
    loop {
        while i < n && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        while i < n && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        while i < n && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= n || chars[i] != '=' {
            return Err(err(format!(
                "missing \"=\" after \"{key}\" in connection info string"
            )));
        }
        i += 1;
        while i < n && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < n && chars[i] == '\'' {
            i += 1;
            loop {
                if i >= n {
                    return Err(err(
                        "unterminated quoted string in connection info string".into()
                    ));
                }
                match chars[i] {
                    '\\' if i + 1 < n => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    '\'' => {
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < n && !chars[i].is_whitespace() {
                if chars[i] == '\\' && i + 1 < n {
                    value.push(chars[i + 1]);
                    i += 2;
                } else {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        out.push((key, value));
    }
    Ok(out)
}

pub(super) fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or_else(|| Error::usage(format!("invalid percent-encoded token: \"{s}\"")))?;
            let v = u8::from_str_radix(hex, 16)
                .map_err(|_| Error::usage(format!("invalid percent-encoded token: \"{s}\"")))?;
            if v == 0 {
                return Err(Error::usage(format!(
                    "forbidden value %00 in percent-encoded value: \"{s}\""
                )));
            }
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| Error::usage(format!("invalid UTF-8 in percent-encoded value: \"{s}\"")))
}

/// Parses a `postgresql://` or `postgres://` URI into keywords.
pub fn parse_uri(uri: &str) -> Result<Vec<(String, String)>> {
    let rest = uri
        .strip_prefix("postgresql://")
        .or_else(|| uri.strip_prefix("postgres://"))
        .ok_or_else(|| Error::usage(format!("invalid URI: \"{uri}\"")))?;
    let mut out = Vec::new();
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match main.find('/') {
        Some(i) => (&main[..i], Some(&main[i + 1..])),
        None => (main, None),
    };
    let (userinfo, hostlist) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    if let Some(ui) = userinfo {
        let (u, p) = match ui.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (ui, None),
        };
        if !u.is_empty() {
            out.push(("user".into(), percent_decode(u)?));
        }
        if let Some(p) = p {
            out.push(("password".into(), percent_decode(p)?));
        }
    }
    if !hostlist.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for spec in hostlist.split(',') {
            let (h, p) = if let Some(v6) = spec.strip_prefix('[') {
                let end = v6.find(']').ok_or_else(|| {
                    Error::usage(format!(
                        "missing \"]\" in IPv6 host address in URI: \"{uri}\""
                    ))
                })?;
                let after = &v6[end + 1..];
                (
                    v6[..end].to_string(),
                    after.strip_prefix(':').map(str::to_string),
                )
            } else {
                match spec.rsplit_once(':') {
                    Some((h, p)) => (h.to_string(), Some(p.to_string())),
                    None => (spec.to_string(), None),
                }
            };
            hosts.push(percent_decode(&h)?);
            ports.push(p.unwrap_or_default());
        }
        out.push(("host".into(), hosts.join(",")));
        if ports.iter().any(|p| !p.is_empty()) {
            out.push(("port".into(), ports.join(",")));
        }
    }
    if let Some(p) = path.filter(|p| !p.is_empty()) {
        out.push(("dbname".into(), percent_decode(p)?));
    }
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                Error::usage(format!(
                    "missing key/value separator \"=\" in URI query parameter: \"{pair}\""
                ))
            })?;
            let k = percent_decode(k)?;
            // libpq accepts ssl=true as sslmode=require (JDBC compatibility).
            if k == "ssl" && v == "true" {
                out.push(("sslmode".into(), "require".into()));
            } else {
                out.push((k, percent_decode(v)?));
            }
        }
    }
    Ok(out)
}

/// Looks a service up in `pg_service.conf` text: `[name]` sections of `key=value` lines.
pub fn service_entry(text: &str, service: &str) -> Result<Option<Vec<(String, String)>>> {
    let mut in_section = false;
    let mut found = false;
    let mut out = Vec::new();
    for (lineno, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if found && in_section {
                break;
            }
            in_section = name == service;
            found |= in_section;
            continue;
        }
        if !in_section {
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| {
            Error::usage(format!("syntax error in service file, line {}", lineno + 1))
        })?;
        let k = k.trim().to_string();
        if k == "service" {
            return Err(Error::usage(format!(
                "nested service specifications not supported in service file, line {}",
                lineno + 1
            )));
        }
        out.push((k, v.trim().to_string()));
    }
    Ok(found.then_some(out))
}

/// Finds the password for a connection in `.pgpass` text (first match wins).
pub fn pgpass_lookup(
    text: &str,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let port = port.to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // Split on unescaped ':' into five fields, undoing '\:' and '\\'.
        let mut fields: Vec<String> = vec![String::new()];
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        if let Some(f) = fields.last_mut() {
                            f.push(n);
                        }
                    }
                }
                ':' if fields.len() < 5 => fields.push(String::new()),
                _ => {
                    if let Some(f) = fields.last_mut() {
                        f.push(c);
                    }
                }
            }
        }
        if fields.len() != 5 {
            continue;
        }
        let matches = |f: &str, v: &str| f == "*" || f == v;
        if matches(&fields[0], host)
            && matches(&fields[1], &port)
            && matches(&fields[2], dbname)
            && matches(&fields[3], user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}
