//! Lifetimes written as settings and command-line options take them (`90s`, `30m`, `1h`, `7d`):
//! tokens' `--ttl`, `link_ttl`.

use std::time::Duration;

use anyhow::{Context, bail};

/// Parses a lifetime such as `90s`, `30m`, `1h`, `7d` (a bare number is seconds).
pub fn parse_ttl(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a duration such as 1h"))?;
    let per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("`{text}`: use s, m, h or d"),
    };
    let Some(secs) = n.checked_mul(per_unit) else {
        bail!("`{text}` is too long a lifetime");
    };
    if secs == 0 {
        bail!("the lifetime must be positive");
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls() {
        assert_eq!(parse_ttl("1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_ttl("30m").unwrap().as_secs(), 1800);
        assert_eq!(parse_ttl("2d").unwrap().as_secs(), 172_800);
        assert_eq!(parse_ttl("45").unwrap().as_secs(), 45);
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("h").is_err());
        assert!(parse_ttl("99999999999999999999d").is_err());
        assert!(parse_ttl("999999999999999999d").is_err());
    }
}
