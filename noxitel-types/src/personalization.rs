//! `#name#` personalization of message text: what the API replaces with each contact's
//! `parameters` (see `SendSmsRequest::message`).

use std::collections::HashMap;

/// Replaces every `#name#` with `parameters["name"]`; unknown placeholders stay as written
/// (the reference does not say otherwise).
///
/// ```
/// # use std::collections::HashMap;
/// use noxitel_types::personalization::personalize;
/// let p = HashMap::from([("name".to_owned(), "Sam".to_owned())]);
/// assert_eq!(personalize("Hi #name#, #who#?", &p), "Hi Sam, #who#?");
/// ```
pub fn personalize(template: &str, parameters: &HashMap<String, String>) -> String {
    if parameters.is_empty() || !template.contains('#') {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('#') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let replaced = after.find('#').and_then(|end| {
            let name = &after[..end];
            let value = parameters.get(name).filter(|_| is_name(name))?;
            Some((value, end))
        });
        match replaced {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names a text uses, in order, each once — e.g. to check them against the
/// columns of a contact list before sending.
///
/// ```
/// use noxitel_types::personalization::placeholders;
/// assert_eq!(placeholders("Hi #name#, order #id# (#name#) ##"), ["name", "id"]);
/// ```
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('#') {
        let after = &rest[start + 1..];
        match after.find('#') {
            Some(end) if is_name(&after[..end]) => {
                if !names.contains(&&after[..end]) {
                    names.push(&after[..end]);
                }
                // As `personalize` reads it when the value is there.
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personalizes_known_variables_only() {
        let p: HashMap<String, String> = [
            ("name".into(), "Sam".into()),
            ("otp".into(), "847291".into()),
        ]
        .into();
        assert_eq!(
            personalize("Hi #name#, your OTP is #otp#", &p),
            "Hi Sam, your OTP is 847291"
        );
        assert_eq!(personalize("Hi #who#, #otp#", &p), "Hi #who#, 847291");
        assert_eq!(personalize("## #name", &p), "## #name");
        assert_eq!(personalize("#a b# #name#", &p), "#a b# Sam");
    }

    #[test]
    fn lists_the_placeholders_personalize_would_fill() {
        assert_eq!(
            placeholders("Hi #name#, your OTP is #otp#"),
            ["name", "otp"]
        );
        assert_eq!(placeholders("#a b# #name# # #"), ["name"]);
        assert!(placeholders("Order #123 shipped").is_empty());
        assert!(placeholders("no hashes").is_empty());
        assert_eq!(placeholders("#name#x#"), ["name"]);
    }
}
