//! Entry names and link targets, checked before anything touches the disk
//! (pure: no I/O, so every rule is unit-tested on its own).

use std::collections::HashSet;

/// An entry's name split into its components: no empty, `.` or `..` parts.
pub type Components<'a> = Vec<&'a [u8]>;

/// Why a name or a link target cannot be written inside the folder.
pub fn clean_name(raw: &[u8]) -> Result<Components<'_>, String> {
    if raw.contains(&0) {
        return Err("has a NUL byte in its name".into());
    }
    if raw.first() == Some(&b'/') {
        return Err("has an absolute path (repack it with paths relative to the dump folder)".into());
    }
    let mut out = Vec::new();
    for part in raw.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return Err("has a `..` component that would write outside the folder".into()),
            p => out.push(p),
        }
    }
    Ok(out)
}

pub fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&b'/')
}

/// Checks that a symlink at `link` (clean components) pointing to `target`
/// stays inside the folder. Resolution is lexical, which is exact only when
/// no component on the way is itself a link: so a target that goes through
/// another link of the archive is refused too.
pub fn check_symlink(link: &[&[u8]], target: &[u8], links: &HashSet<Vec<u8>>) -> Result<(), String> {
    let shown = super::super::fmt::escaped_bytes(target);
    if target.is_empty() || target.contains(&0) {
        return Err("is a link with an empty or invalid target".into());
    }
    if target.first() == Some(&b'/') {
        return Err(format!("is a link to {shown}, an absolute path outside the folder"));
    }
    let mut at: Vec<&[u8]> = link[..link.len().saturating_sub(1)].to_vec();
    let parts: Vec<&[u8]> = target.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".").collect();
    for (i, part) in parts.iter().enumerate() {
        if *part == b".." {
            if at.pop().is_none() {
                return Err(format!("is a link to {shown}, outside the folder"));
            }
            continue;
        }
        at.push(part);
        if i + 1 < parts.len() && links.contains(&join(&at)) {
            return Err(format!(
                "is a link to {shown}, which goes through another link ({})",
                super::super::fmt::escaped_bytes(&join(&at))
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(names: &[&str]) -> HashSet<Vec<u8>> {
        names.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    #[test]
    fn names_are_split_and_checked() {
        assert_eq!(clean_name(b"./a//b/./c").unwrap(), vec![&b"a"[..], b"b", b"c"]);
        assert!(clean_name(b"./").unwrap().is_empty());
        assert!(clean_name(b"/etc/passwd").unwrap_err().contains("absolute"));
        assert!(clean_name(b"a/../../x").unwrap_err().contains("`..`"));
        assert!(clean_name(b"a/..").unwrap_err().contains("`..`"));
        assert!(clean_name(b"a\0b").is_err());
    }

    #[test]
    fn symlinks_must_stay_inside() {
        let none = links(&[]);
        let at = |s: &'static str| clean_name(s.as_bytes()).unwrap();
        assert!(check_symlink(&at("a/l"), b"../b", &none).is_ok());
        assert!(check_symlink(&at("a/l"), b"../../b", &none).unwrap_err().contains("outside"));
        assert!(check_symlink(&at("l"), b"/etc", &none).unwrap_err().contains("absolute"));
        assert!(check_symlink(&at("l"), b"..", &none).is_err());
        assert!(check_symlink(&at("l"), b"x/../..", &none).is_err());
        assert!(check_symlink(&at("l"), b"", &none).is_err());
    }

    #[test]
    fn a_target_through_another_link_is_refused() {
        // d1/l1 -> .. is inside; l2 -> d1/l1/.. is lexically inside but
        // physically the parent of the folder.
        let ls = links(&["d1/l1", "l2"]);
        let at = |s: &'static str| clean_name(s.as_bytes()).unwrap();
        assert!(check_symlink(&at("d1/l1"), b"..", &ls).is_ok());
        assert!(check_symlink(&at("l2"), b"d1/l1/..", &ls).unwrap_err().contains("another link"));
        // Pointing at a link (as the last component) is fine.
        assert!(check_symlink(&at("l3"), b"d1/l1", &ls).is_ok());
    }
}
