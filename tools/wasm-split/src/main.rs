//! `amidesk-wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm`
//!
//! Splits the bundle `cargo build` produced (linked with `--emit-relocs`) at the lazy routes:
//! writes the chunks and the loader script into PKG_DIR, the main module (still to go through
//! wasm-bindgen) to MAIN_OUT, and `__wasm_split_manifest.json` — for every lazy route, the
//! chunks it needs — which the server reads to add preload links for the page it renders.

use std::{collections::HashMap, fmt::Write as _, path::Path, process::ExitCode};

/// The loader's file name. Leptos' `HydrationScripts` preloads exactly this name when file
/// hashing is off (the underscores hold the place of a hash).
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, main_out] = args.as_slice() else {
        eprintln!("usage: amidesk-wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm");
        return ExitCode::from(2);
    };
    match split(Path::new(input), Path::new(pkg_dir), Path::new(main_out)) {
        Ok(chunks) => {
            println!("wasm-split: {chunks} chunk(s) written to {pkg_dir}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("wasm-split: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &Path,
    pkg_dir: &Path,
    main_out: &Path,
) -> Result<usize, Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input)?;
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = pkg_dir;
    options.main_out_path = main_out;
    options.link_name = LINK_NAME;
    options.main_module = "./amidesk.js";
    options.target.web();
    let result = wasm_split_cli_support::transform(options).map_err(|e| format!("{e:#}"))?;
    std::fs::write(
        pkg_dir.join("__wasm_split_manifest.json"),
        manifest_json(&result.prefetch_map),
    )?;
    Ok(result.split_modules.len())
}

/// `{"route_view_name": ["chunk_1", "route_view_name"], ...}`, keys sorted for stable output.
fn manifest_json(map: &HashMap<String, Vec<String>>) -> String {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let mut out = String::from("{");
    for (i, key) in keys.iter().enumerate() {
        let files: Vec<String> = map[*key].iter().map(|f| quoted(f)).collect();
        let _ = write!(
            out,
            "{}{}:[{}]",
            if i > 0 { "," } else { "" },
            quoted(key),
            files.join(",")
        );
    }
    out.push('}');
    out
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
