//! The rules of reading and decoding a delivery (the control catalogue of checks lives with the checks).
//!
//! Ids are stable: reports, stored diagnostics and operator configuration refer to them.

crate::declare_rules! {
    /// Every reading and decoding rule, for catalogues and configuration.
    READ_IO = "read.io", Structure, Critical,
        "Fichier illisible", "File cannot be read",
        Some("Vérifier que le fichier existe et qu'il est lisible, puis relivrer.");
    READ_EMPTY_FILE = "read.empty_file", Structure, Error,
        "Fichier vide", "Empty file",
        Some("Relivrer le fichier complet.");
    READ_UNKNOWN_FILE = "read.unknown_file", Structure, Info,
        "Fichier qui n'est pas une table GraceTHD", "File that is not a GraceTHD table",
        None;
    READ_DUPLICATE_TABLE = "read.duplicate_table", Structure, Error,
        "Table livrée deux fois", "Table delivered twice",
        Some("Ne livrer qu'un fichier par table ; seul le premier trouvé est lu.");
    READ_VERSION_UNKNOWN = "read.version.unknown", Structure, Critical,
        "Version GraceTHD non reconnue", "GraceTHD version not recognised",
        Some("La livraison doit contenir des tables t_* de GraceTHD v2.0.1 ou v3.");
    READ_ZIP_INVALID = "read.zip.invalid", Structure, Critical,
        "Archive zip illisible", "Unreadable zip archive",
        Some("Recréer l'archive et relivrer.");
    READ_ZIP_UNSAFE_ENTRY = "read.zip.unsafe_entry", Structure, Critical,
        "Entrée d'archive hors du dossier de livraison", "Archive entry escapes the delivery folder",
        Some("L'archive contient un chemin absolu ou « .. » : elle est refusée, recréer l'archive.");
    READ_ZIP_TOO_LARGE = "read.zip.too_large", Structure, Critical,
        "Archive qui se décompresse de façon démesurée", "Archive inflates absurdly",
        Some("Taux de compression ou taille décompressée hors limites : l'archive est refusée.");
    READ_SHP_MISSING_PART = "read.shp.missing_part", Structure, Error,
        "Composant de shapefile manquant", "Missing shapefile component",
        Some("Un shapefile se livre avec ses fichiers .shp, .shx, .dbf et .prj.");
    READ_SHP_INVALID = "read.shp.invalid", Structure, Error,
        "Fichier .shp corrompu ou tronqué", "Corrupt or truncated .shp file",
        Some("Réexporter la couche depuis le SIG et relivrer.");
    READ_SHP_INDEX_MISMATCH = "read.shp.index_mismatch", Structure, Error,
        "Index .shx en désaccord avec le .shp", "The .shx index disagrees with the .shp",
        Some("Réexporter la couche ; les géométries sont lues séquentiellement.");
    READ_SHP_UNSUPPORTED_SHAPE = "read.shp.unsupported_shape", Geometry, Error,
        "Type de géométrie de shapefile non pris en charge", "Unsupported shapefile geometry type",
        None;
    READ_SHP_COUNT_MISMATCH = "read.shp.count_mismatch", Structure, Error,
        "Nombre de géométries différent du nombre d'enregistrements", "Geometry count differs from record count",
        Some("Le .shp et le .dbf d'une couche doivent avoir autant d'enregistrements.");
    READ_DBF_INVALID = "read.dbf.invalid", Structure, Error,
        "Fichier .dbf corrompu ou tronqué", "Corrupt or truncated .dbf file",
        Some("Réexporter la couche depuis le SIG et relivrer.");
    READ_PRJ_NOT_LAMBERT93 = "read.prj.not_lambert93", Geometry, Error,
        "Projection autre que Lambert-93 (EPSG:2154)", "Projection other than Lambert-93 (EPSG:2154)",
        Some("GraceTHD impose le RGF93 / Lambert-93 : reprojeter la couche.");
    READ_ENCODING_FALLBACK = "read.encoding.fallback", Encoding, Warning,
        "Texte qui n'est pas de l'UTF-8 : lu en Windows-1252", "Text is not UTF-8: read as Windows-1252",
        Some("Livrer en UTF-8, ou déclarer l'encodage dans un fichier .cpg.");
    READ_CSV_SEPARATOR = "read.csv.separator", Encoding, Warning,
        "Séparateur « , » au lieu de « ; »", "Separator ',' instead of ';'",
        Some("GraceTHD impose le « ; » comme séparateur.");
    READ_CSV_RAGGED_ROW = "read.csv.ragged_row", Structure, Error,
        "Ligne dont le nombre de champs diffère de l'en-tête", "Row whose field count differs from the header",
        Some("Un « ; » dans une valeur décale les colonnes : le retirer.");
    READ_MISSING_COLUMN = "read.missing_column", Structure, Error,
        "Colonne attendue absente", "Expected column missing",
        Some("Ajouter la colonne (même vide) selon le modèle GraceTHD.");
    READ_EXTRA_COLUMN = "read.extra_column", Structure, Info,
        "Colonne hors modèle GraceTHD", "Column outside the GraceTHD model",
        None;
    READ_GPKG_INVALID = "read.gpkg.invalid", Structure, Critical,
        "GeoPackage illisible", "Unreadable GeoPackage",
        Some("Vérifier le fichier avec ogrinfo et relivrer.");
    DECODE_INTEGER = "decode.integer", Value, Error,
        "Valeur qui n'est pas un entier", "Value is not an integer",
        None;
    DECODE_NUMBER = "decode.number", Value, Error,
        "Valeur qui n'est pas un nombre", "Value is not a number",
        Some("Utiliser le point comme séparateur décimal.");
    DECODE_BOOLEAN = "decode.boolean", Value, Error,
        "Valeur qui n'est pas un booléen", "Value is not a boolean",
        Some("Valeurs admises : 0/1, t/f, true/false.");
    DECODE_DATE = "decode.date", Value, Error,
        "Date invalide", "Invalid date",
        Some("Format attendu AAAA-MM-JJ (JJ/MM/AAAA est toléré).");
    DECODE_TEXT_TOO_LONG = "decode.text_too_long", Value, Warning,
        "Texte plus long que la taille de la colonne", "Text longer than the column allows",
        None;
    DECODE_LIST_VALUE = "decode.list_value", List, Error,
        "Valeur absente de la liste de valeurs", "Value not in the value list",
        Some("Utiliser un code de la liste GraceTHD de l'attribut.");
    DECODE_MISSING_KEY = "decode.missing_key", Key, Error,
        "Identifiant vide", "Empty identifier",
        Some("Chaque objet doit avoir un code unique ; la ligne est ignorée.");
    DECODE_DUPLICATE_KEY = "decode.duplicate_key", Key, Error,
        "Identifiant en double", "Duplicate identifier",
        Some("Chaque code doit être unique dans sa table ; seule la première ligne est gardée.");
    DECODE_DANGLING_REFERENCE = "decode.dangling_reference", Reference, Error,
        "Référence à un objet inexistant", "Reference to an object that does not exist",
        None;
    DECODE_ABSENT_TABLE = "decode.absent_table", Reference, Warning,
        "Référence à une table absente de la livraison", "Reference to a table absent from the delivery",
        Some("Livrer la table référencée, ou vider les références.");
    DECODE_GEOMETRY_MISSING = "decode.geometry.missing", Geometry, Error,
        "Géométrie absente", "Missing geometry",
        None;
    DECODE_GEOMETRY_TYPE = "decode.geometry.type", Geometry, Error,
        "Type de géométrie inattendu", "Unexpected geometry type",
        None;
    DECODE_GEOMETRY_INVALID = "decode.geometry.invalid", Geometry, Error,
        "Géométrie invalide", "Invalid geometry",
        None;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_namespaced() {
        let mut seen = HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(
                rule.id.starts_with("read.") || rule.id.starts_with("decode."),
                "{}",
                rule.id
            );
        }
    }
}
