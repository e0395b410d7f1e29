//! Terraform module version constraints (`~> 5.0`, `>= 4.0, < 6.0`, `5.3.0`), read only as far
//! as a model needs: whether some release of a major version satisfies them all.

type Version = (u64, u64, u64);

/// A bound on versions: the version and whether it is included.
type Bound = (Version, bool);

/// Whether some `MAJOR.x.y` release satisfies every constraint of `constraints`. A constraint
/// that cannot be read (a pre-release, a malformed one) admits nothing.
pub(crate) fn admits_major(constraints: &str, major: u64) -> bool {
    let mut lower: Bound = ((major, 0, 0), true);
    let mut upper: Bound = ((major + 1, 0, 0), false);
    let mut excluded = Vec::new();
    for constraint in constraints.split(',') {
        let constraint = constraint.trim();
        if constraint.is_empty() {
            return false;
        }
        let (op, rest) = ["~>", ">=", "<=", "!=", "=", ">", "<"]
            .iter()
            .find_map(|op| constraint.strip_prefix(op).map(|rest| (*op, rest)))
            .unwrap_or(("=", constraint));
        let rest = rest.trim().trim_start_matches('v');
        let parts: Vec<&str> = rest.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return false;
        }
        let mut numbers = [0_u64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            match part.parse() {
                Ok(number) => *slot = number,
                Err(_) => return false,
            }
        }
        let version = (numbers[0], numbers[1], numbers[2]);
        match op {
            "=" => {
                lower = tighter_lower(lower, (version, true));
                upper = tighter_upper(upper, (version, true));
            }
            "!=" => excluded.push(version),
            ">=" => lower = tighter_lower(lower, (version, true)),
            ">" => lower = tighter_lower(lower, (version, false)),
            "<=" => upper = tighter_upper(upper, (version, true)),
            "<" => upper = tighter_upper(upper, (version, false)),
            _ => {
                // `~>`: the rightmost given component may grow.
                lower = tighter_lower(lower, (version, true));
                let next = match parts.len() {
                    1 | 2 => (version.0 + 1, 0, 0),
                    _ => (version.0, version.1 + 1, 0),
                };
                upper = tighter_upper(upper, (next, false));
            }
        }
    }
    match lower.0.cmp(&upper.0) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Equal => lower.1 && upper.1 && !excluded.contains(&lower.0),
        std::cmp::Ordering::Greater => false,
    }
}

fn tighter_lower(current: Bound, new: Bound) -> Bound {
    if new.0 > current.0 || (new.0 == current.0 && !new.1) {
        new
    } else {
        current
    }
}

fn tighter_upper(current: Bound, new: Bound) -> Bound {
    if new.0 < current.0 || (new.0 == current.0 && !new.1) {
        new
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::admits_major;

    #[test]
    fn constraints() {
        for admitted in [
            "~> 5.0",
            "~> 5",
            ">= 4.0",
            "5.3.0",
            "= 5.1.2",
            ">= 5.0, < 6.0",
            "~> 5.3.1",
            "v5.0.0",
            "!= 5.0.0",
            "> 4.99",
        ] {
            assert!(admits_major(admitted, 5), "{admitted}");
        }
        for excluded in [
            "~> 3.0",
            "~> 4.17",
            "4.17.1",
            "< 5.0",
            ">= 6.0",
            "~> 6",
            "5.0.0-beta",
            "",
            ">= 5.0,",
            "> 5.0, < 5.0",
        ] {
            assert!(!admits_major(excluded, 5), "{excluded}");
        }
    }
}
