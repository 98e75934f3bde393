//! What a picture copy is: its kind, size, key in the object store and name. No I/O.

/// Raise when the copies change (sizes, quality, encoder): old copies are then remade on
/// their next request or upload, under new keys.
pub const COPIES_VERSION: i32 = 1;

/// A copy made from a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Derivative {
    /// ภาพย่อ: cards and lists (long edge 480 px).
    Thumb,
    /// ภาพสำหรับแสดง: the item page and every download by someone who may not have the
    /// original (long edge 1600 px).
    Display,
}

impl Derivative {
    pub const ALL: [Derivative; 2] = [Derivative::Thumb, Derivative::Display];

    /// The longest side in pixels (a smaller picture is never enlarged).
    pub fn long_edge(self) -> u32 {
        match self {
            Derivative::Thumb => 480,
            Derivative::Display => 1600,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Derivative::Thumb => "thumb",
            Derivative::Display => "display",
        }
    }

    /// Where the copy of the content `sha256` lives in the object store.
    pub fn key(self, sha256: &str) -> String {
        let prefix = sha256.get(..2).unwrap_or("00");
        format!(
            "derived/{prefix}/{sha256}/{}-v{COPIES_VERSION}.jpg",
            self.as_str()
        )
    }

    /// The copy's entity tag: it differs from the original's and between versions.
    pub fn etag(self, sha256: &str) -> String {
        format!("\"{sha256}-{}-v{COPIES_VERSION}\"", self.as_str())
    }
}

/// What a download asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The file as uploaded — for pictures, only to those who may read originals; everyone
    /// else gets the [`Derivative::Display`] copy from the same URL.
    Original,
    /// A copy (pictures only; anything else is not found).
    Copy(Derivative),
}

/// Pictures khlang makes copies of (the kinds uploads accept as images).
pub fn is_picture(mime: &str) -> bool {
    matches!(
        mime,
        "image/jpeg" | "image/png" | "image/webp" | "image/gif"
    )
}

/// The download name of a copy: the original's name with `.jpg` (and `-ภาพย่อ` for a thumbnail).
pub fn copy_name(original: &str, d: Derivative) -> String {
    let stem = match original.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => original,
    };
    match d {
        Derivative::Thumb => format!("{stem}-ภาพย่อ.jpg"),
        Derivative::Display => format!("{stem}.jpg"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_have_their_own_keys_names_and_tags() {
        let sha = "ab".repeat(32);
        assert_eq!(
            Derivative::Thumb.key(&sha),
            format!("derived/ab/{sha}/thumb-v1.jpg")
        );
        assert_ne!(Derivative::Thumb.key(&sha), Derivative::Display.key(&sha));
        assert_ne!(Derivative::Thumb.etag(&sha), format!("\"{sha}\""));
        assert_eq!(copy_name("บ้าน อสม.png", Derivative::Display), "บ้าน อสม.jpg");
        assert_eq!(copy_name("ภาพ.jpeg", Derivative::Thumb), "ภาพ-ภาพย่อ.jpg");
        assert_eq!(copy_name("noext", Derivative::Display), "noext.jpg");
        assert!(is_picture("image/jpeg") && is_picture("image/webp"));
        assert!(!is_picture("application/pdf") && !is_picture("image/svg+xml"));
    }
}
