//! The module `--shim` leaves at SRC (SPEC §4.8): it warns
//! (`DeprecationWarning`), makes `SRC` the very module object `DST` is, and
//! installs a meta-path finder that answers `SRC.anything` with the module
//! `DST.anything`: each submodule is loaded once, under DST's name, so
//! `SRC.sub is DST.sub` and exception classes match whichever path raised
//! or caught them. Nothing is imported until asked for (no eager import of
//! submodules).

use super::Promotion;

/// The shim's path and text.
pub fn shim(p: &Promotion) -> (String, String) {
    (p.shim_path.clone(), text(&p.rename.src, &p.rename.dst))
}

/// The shim's source for a move from `src` to `dst`.
pub fn text(src: &str, dst: &str) -> String {
    TEMPLATE.replace("{src}", src).replace("{dst}", dst)
}

const TEMPLATE: &str = r#""""Deprecated: `{src}` moved to `{dst}`; this shim aliases it."""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

warnings.warn(
    "`{src}` moved to `{dst}`; import `{dst}` instead",
    DeprecationWarning,
    stacklevel=2,
)


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports `{src}.x` as the module `{dst}.x` itself (loaded once)."""

    old = "{src}"
    new = "{dst}"

    def find_spec(self, name, path=None, target=None):
        if name.startswith(self.old + "."):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(self.new + spec.name[len(self.old) :])
        spec.loader_state = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        # The import system set the alias spec on the module: give it back
        # its own, so that the module stays `{dst}.x` for reloads and tools.
        own = module.__spec__.loader_state
        if own is not None:
            module.__spec__ = own


if not any(getattr(f, "old", None) == _Alias.old for f in sys.meta_path):
    sys.meta_path.insert(0, _Alias())
sys.modules[__name__] = importlib.import_module("{dst}")
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_names_both_paths() {
        let t = text("candidate.x", "core.x");
        assert!(t.contains("old = \"candidate.x\"") && t.contains("new = \"core.x\""));
        assert!(t.contains("sys.modules[__name__] = importlib.import_module(\"core.x\")"));
        assert!(!t.contains("{src}") && !t.contains("{dst}"));
    }
}
