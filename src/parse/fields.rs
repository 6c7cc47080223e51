//! The Python grammar's field ids, looked up once. `Node::child_by_field_name`
//! looks the name up among the grammar's field names on every call (a string
//! comparison per field); the walkers that run on every file ask by id.

use std::sync::LazyLock;

macro_rules! fields {
    ($($field:ident = $name:literal),* $(,)?) => {
        /// The ids of the fields the hot walkers read, by field name.
        #[derive(Debug)]
        pub struct Fields {
            $(
                #[doc = concat!("`", $name, "`")]
                pub $field: u16,
            )*
        }

        impl Fields {
            fn load(language: &tree_sitter::Language) -> Self {
                Self {
                    $($field: language
                        .field_id_for_name($name)
                        .expect(concat!("tree-sitter-python has the field `", $name, "`"))
                        .get(),)*
                }
            }
        }
    };
}

fields! {
    alias = "alias",
    arguments = "arguments",
    attribute = "attribute",
    body = "body",
    condition = "condition",
    definition = "definition",
    function = "function",
    left = "left",
    module_name = "module_name",
    name = "name",
    object = "object",
    parameters = "parameters",
    return_type = "return_type",
    right = "right",
    superclasses = "superclasses",
    type_ = "type",
    type_parameters = "type_parameters",
    value = "value",
}

/// The field ids of tree-sitter-python.
pub static FIELD: LazyLock<Fields> = LazyLock::new(|| Fields::load(&super::python()));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_finds_the_child_its_name_finds() {
        let text = "def f(a: int = 1) -> str:\n    return a\nx.y = g(z)\n";
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let root = tree.root_node();
        let def = root.named_child(0).unwrap();
        for (name, id) in [
            ("name", FIELD.name),
            ("parameters", FIELD.parameters),
            ("return_type", FIELD.return_type),
            ("body", FIELD.body),
        ] {
            assert_eq!(
                def.child_by_field_name(name),
                def.child_by_field_id(id),
                "{name}"
            );
            assert!(def.child_by_field_id(id).is_some(), "{name}");
        }
        let assign = root.named_child(1).unwrap().named_child(0).unwrap();
        assert_eq!(
            assign.child_by_field_id(FIELD.left),
            assign.child_by_field_name("left")
        );
        assert_eq!(
            assign.child_by_field_id(FIELD.right),
            assign.child_by_field_name("right")
        );
    }
}
