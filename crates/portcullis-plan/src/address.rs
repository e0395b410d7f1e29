//! Terraform addresses and references: `module.sg["a.b"].aws_security_group.this[0].id`.

/// One step of an address: a name and the instance key as written (`[0]`, `["web"]`, or empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub key: String,
}

/// Splits at the dots outside brackets and quoted keys.
pub fn split(address: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut name = String::new();
    let mut key = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            key.push(c);
            if quoted {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    quoted = false;
                }
            } else if c == '"' {
                quoted = true;
            } else if c == '[' {
                depth += 1;
            } else if c == ']' {
                depth -= 1;
            }
            continue;
        }
        match c {
            '.' => steps.push(Step {
                name: std::mem::take(&mut name),
                key: std::mem::take(&mut key),
            }),
            '[' => {
                depth = 1;
                key.push(c);
            }
            _ if key.is_empty() => name.push(c),
            // Text after a key without a dot (`a[0]b`) is kept with the key.
            _ => key.push(c),
        }
    }
    steps.push(Step { name, key });
    steps
}

/// The module call names of a module address: `module.a["x"].module.b` → `["a", "b"]`.
pub fn module_names(module: &str) -> Vec<String> {
    if module.is_empty() {
        return Vec::new();
    }
    split(module)
        .chunks(2)
        .filter_map(|pair| match pair {
            [first, call] if first.name == "module" => Some(call.name.clone()),
            _ => None,
        })
        .collect()
}

/// `prefix.rest`, or `rest` in the root module.
pub fn join(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_owned()
    } else {
        format!("{prefix}.{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keys_with_dots_and_quotes() {
        let steps = split(r#"module.sg["a.b\"]"].aws_security_group.this[0].id"#);
        let names: Vec<&str> = steps.iter().map(|step| step.name.as_str()).collect();
        assert_eq!(names, ["module", "sg", "aws_security_group", "this", "id"]);
        assert_eq!(steps[1].key, r#"["a.b\"]"]"#);
        assert_eq!(steps[3].key, "[0]");
        assert_eq!(module_names(r#"module.a["x"].module.b[1]"#), ["a", "b"]);
    }
}
