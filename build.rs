//! Embeds the default rules folder and tells cargo when to rebuild.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=rules");

    let root = Path::new("rules/aset-w");
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("/// Every file of `rules/aset-w`, by path relative to it.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for relative in &files {
        let absolute = fs::canonicalize(root.join(relative)).expect("rules file readable");
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    code.push_str("];\n");
    fs::File::create(out.join("embedded_rules.rs"))
        .and_then(|mut f| f.write_all(code.as_bytes()))
        .expect("write embedded_rules.rs");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            files.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}
