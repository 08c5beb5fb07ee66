//! The catalog queries, one per object kind (PostgreSQL 15 catalogs), as pg_dump 15 reads them.

/// Schemas, with ACL inputs.
pub const NAMESPACES: &str = "SELECT n.tableoid, n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, \
 n.nspowner, n.nspacl::text, pg_catalog.acldefault('n', n.nspowner)::text AS acldefault, ip.initprivs::text \
 FROM pg_catalog.pg_namespace n \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = n.oid AND ip.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND ip.objsubid = 0) \
 ORDER BY n.oid";

/// Extensions.
pub const EXTENSIONS: &str = "SELECT x.tableoid, x.oid, x.extname, n.nspname, x.extversion, \
 x.extconfig::pg_catalog.oid[] AS extconfig, x.extcondition::text[] AS extcondition \
 FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace ORDER BY x.oid";

/// Foreign keys from tables to extension member tables (config tables' data is ordered by
/// them, as pg_dump's processExtensionTables).
pub const EXTENSION_TABLE_FKS: &str =
    "SELECT c.conrelid, c.confrelid FROM pg_catalog.pg_constraint c \
 JOIN pg_catalog.pg_depend d ON (d.objid = c.confrelid) \
 WHERE c.contype = 'f' AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass \
 AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass ORDER BY 1, 2";

/// Objects that belong to an extension.
pub const EXTENSION_MEMBERS: &str = "SELECT classid, objid, refobjid FROM pg_catalog.pg_depend \
 WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND deptype = 'e' ORDER BY 1, 2";

/// All types (system ones too: they are dependency passthroughs, never dumped).
pub const TYPES: &str = "SELECT t.tableoid, t.oid, t.typname, t.typnamespace, pg_catalog.pg_get_userbyid(t.typowner) AS owner, \
 t.typtype::text, t.typinput::pg_catalog.oid AS typinput, t.typrelid, c.relkind::text AS relkind, t.typelem, t.typlen::int4, \
 (t.typname[0] = '_' AND t.typelem <> 0 AND te.typarray = t.oid) AS isarray, \
 t.typacl::text, pg_catalog.acldefault('T', t.typowner)::text AS acldefault, ip.initprivs::text, \
 CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS domain_base, \
 t.typnotnull, \
 CASE WHEN t.typtype = 'd' THEN pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass) END AS domain_default, \
 CASE WHEN t.typtype = 'd' AND t.typcollation <> u.typcollation THEN t.typcollation ELSE 0 END AS domain_collation \
 FROM pg_catalog.pg_type t \
 LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid \
 LEFT JOIN pg_catalog.pg_type u ON (t.typbasetype = u.oid) \
 LEFT JOIN pg_catalog.pg_type te ON (te.oid = t.typelem) \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = t.oid AND ip.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND ip.objsubid = 0) \
 ORDER BY t.oid";

/// Base types' definitions, as dumpBaseType reads them (functions as `regproc` text); 14 added
/// subscripting functions.
pub fn base_types(server_num: u32) -> &'static str {
    macro_rules! base_types {
        ($subscript:literal) => {
            concat!(
                "SELECT t.oid, t.typlen::int4, t.typinput::pg_catalog.regproc::text AS typinput, \
 t.typoutput::pg_catalog.regproc::text AS typoutput, \
 CASE WHEN t.typreceive <> 0 THEN t.typreceive::pg_catalog.regproc::text END AS typreceive, \
 CASE WHEN t.typsend <> 0 THEN t.typsend::pg_catalog.regproc::text END AS typsend, \
 CASE WHEN t.typmodin <> 0 THEN t.typmodin::pg_catalog.regproc::text END AS typmodin, \
 CASE WHEN t.typmodout <> 0 THEN t.typmodout::pg_catalog.regproc::text END AS typmodout, \
 CASE WHEN t.typanalyze <> 0 THEN t.typanalyze::pg_catalog.regproc::text END AS typanalyze, \
 ",
                $subscript,
                " t.typcategory::text, t.typispreferred, t.typdelim::text, t.typbyval, t.typalign::text, t.typstorage::text, \
 (t.typcollation <> 0) AS typcollatable, pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS typdefaultbin, t.typdefault, \
 CASE WHEN t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END AS typelem \
 FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type te ON te.oid = t.typelem \
 WHERE t.typtype = 'b' AND t.oid >= 16384 AND (te.oid IS NULL OR te.typarray <> t.oid) ORDER BY t.oid"
            )
        };
    }
    if server_num >= 140000 {
        base_types!(
            "CASE WHEN t.typsubscript <> 0 THEN t.typsubscript::pg_catalog.regproc::text END AS typsubscript,"
        )
    } else {
        base_types!("NULL::text AS typsubscript,")
    }
}

/// Range types; 14 added their multirange types.
pub fn ranges(server_num: u32) -> &'static str {
    macro_rules! ranges {
        ($multirange:literal) => {
            concat!(
                "SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL) AS rngsubtype, ",
                $multirange,
                " opc.opcname, \
 (SELECT nspname FROM pg_catalog.pg_namespace nsp WHERE nsp.oid = opc.opcnamespace) AS opcnsp, opc.opcdefault, \
 CASE WHEN r.rngcollation = st.typcollation THEN 0 ELSE r.rngcollation END AS collation, \
 r.rngcanonical::pg_catalog.regproc::text AS rngcanonical, r.rngsubdiff::pg_catalog.regproc::text AS rngsubdiff \
 FROM pg_catalog.pg_range r LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype \
 LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc ORDER BY r.rngtypid"
            )
        };
    }
    if server_num >= 140000 {
        ranges!("pg_catalog.format_type(r.rngmultitypid, NULL) AS rngmultitype,")
    } else {
        ranges!("NULL::text AS rngmultitype,")
    }
}

/// Enum labels.
pub const ENUM_LABELS: &str =
    "SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum ORDER BY enumtypid, enumsortorder";

/// Attributes of stand-alone composite types.
pub const COMPOSITE_ATTRS: &str = "SELECT ct.oid AS typeoid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS atttypdefn, \
 CASE WHEN a.attcollation <> at.typcollation THEN a.attcollation ELSE 0 END AS attcollation, a.attisdropped \
 FROM pg_catalog.pg_type ct \
 JOIN pg_catalog.pg_class c ON c.oid = ct.typrelid AND c.relkind = 'c' \
 JOIN pg_catalog.pg_attribute a ON a.attrelid = ct.typrelid \
 LEFT JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
 WHERE a.attnum > 0 ORDER BY ct.oid, a.attnum";

/// Collations: 15 added `colliculocale` (an ICU collation's locale was in `collcollate` and
/// `collctype` before), 16 `collicurules`, 17 renamed `colliculocale` to `colllocale` (for its
/// builtin provider too).
pub fn collations(server_num: u32) -> &'static str {
    macro_rules! collations {
        ($cols:literal) => {
            collations!("c.collcollate, c.collctype, ", $cols)
        };
        ($locales:literal, $cols:literal) => {
            concat!(
                "SELECT c.tableoid, c.oid, c.collname, c.collnamespace, pg_catalog.pg_get_userbyid(c.collowner) AS owner, \
 c.collprovider::text, c.collisdeterministic, ",
                $locales,
                $cols,
                " FROM pg_catalog.pg_collation c ORDER BY c.oid"
            )
        };
    }
    match server_num {
        ..150000 => collations!(
            "CASE WHEN c.collprovider <> 'i' THEN c.collcollate END AS collcollate, \
 CASE WHEN c.collprovider <> 'i' THEN c.collctype END AS collctype, ",
            "CASE WHEN c.collprovider = 'i' THEN c.collcollate END AS colllocale, NULL::text AS collicurules"
        ),
        150000..160000 => collations!("c.colliculocale AS colllocale, NULL::text AS collicurules"),
        160000..170000 => collations!("c.colliculocale AS colllocale, c.collicurules"),
        _ => collations!("c.colllocale, c.collicurules"),
    }
}

/// Functions, procedures and aggregates outside the system schemas, in heap order: pg_dump
/// numbers them as its unordered scan returns them, which decides where it starts breaking a
/// dependency loop it cannot repair.
pub fn funcs(server_num: u32) -> &'static str {
    macro_rules! funcs {
        ($sqlbody:literal) => {
            concat!(
                "SELECT p.tableoid, p.oid, p.proname, p.pronamespace, pg_catalog.pg_get_userbyid(p.proowner) AS owner, \
 p.prokind::text, p.proargtypes::oid[] AS argtypes, \
 ARRAY(SELECT pg_catalog.format_type(p.proargtypes[i], NULL) FROM pg_catalog.generate_series(0, p.pronargs - 1) i) AS argtypenames, \
 pg_catalog.pg_get_function_arguments(p.oid) AS funcargs, \
 pg_catalog.pg_get_function_identity_arguments(p.oid) AS funciargs, \
 pg_catalog.pg_get_function_result(p.oid) AS funcresult, \
 l.lanname, p.prosrc, p.probin, ",
                $sqlbody,
                " p.provolatile::text, p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel::text, \
 p.procost::text, p.prorows::text, p.proretset, \
 CASE WHEN p.prosupport <> 0 THEN p.prosupport::pg_catalog.regproc::text END AS prosupport, \
 p.proconfig, \
 p.proacl::text, pg_catalog.acldefault('f', p.proowner)::text AS acldefault, ip.initprivs::text \
 FROM pg_catalog.pg_proc p \
 JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = p.oid AND ip.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ip.objsubid = 0) \
 WHERE p.pronamespace <> 'information_schema'::pg_catalog.regnamespace \
 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
   AND d.objid = p.oid AND d.deptype = 'i') \
 AND (p.pronamespace <> 'pg_catalog'::pg_catalog.regnamespace \
   OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
     AND d.objid = p.oid AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') \
   OR p.proacl IS DISTINCT FROM ip.initprivs) \
 ORDER BY p.ctid"
            )
        };
    }
    // 14 added SQL-standard bodies.
    if server_num >= 140000 {
        funcs!("CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) END AS prosqlbody,")
    } else {
        funcs!("NULL::text AS prosqlbody,")
    }
}

/// Aggregate definitions.
pub const AGGREGATES: &str = "SELECT a.aggfnoid::pg_catalog.oid AS oid, a.aggkind::text, \
 a.aggtransfn::pg_catalog.regproc::text AS transfn, a.aggfinalfn::pg_catalog.regproc::text AS finalfn, \
 a.aggcombinefn::pg_catalog.regproc::text AS combinefn, a.aggserialfn::pg_catalog.regproc::text AS serialfn, \
 a.aggdeserialfn::pg_catalog.regproc::text AS deserialfn, a.aggmtransfn::pg_catalog.regproc::text AS mtransfn, \
 a.aggminvtransfn::pg_catalog.regproc::text AS minvtransfn, a.aggmfinalfn::pg_catalog.regproc::text AS mfinalfn, \
 a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify::text, a.aggmfinalmodify::text, \
 a.aggsortop::pg_catalog.regoperator::text AS sortop, \
 pg_catalog.format_type(a.aggtranstype, NULL) AS transtype, a.aggtransspace, \
 pg_catalog.format_type(a.aggmtranstype, NULL) AS mtranstype, a.aggmtransspace, \
 a.agginitval, a.aggminitval, p.proparallel::text \
 FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid \
 WHERE p.pronamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 AND p.pronamespace <> 'information_schema'::pg_catalog.regnamespace";

/// The true heap size of tables in pages, for splitting their data into ranges (`relpages` is
/// only as fresh as the last VACUUM or ANALYZE). `pg_relation_size` locks the table: run it only
/// once the leader holds the locks. $1: the tables' oids.
pub const TABLE_SIZES: &str = "SELECT c.oid, \
 pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8 AS pages \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) AND c.relkind = 'r'";

/// Relations: tables, views, matviews, sequences, composite-type relations, partitioned tables.
/// No function here may lock a table: the locks are taken after this query, under
/// `--lock-wait-timeout` (see `TABLE_SIZES`).
pub const TABLES: &str = "SELECT c.tableoid, c.oid, c.relname, c.relnamespace, c.relkind::text, c.relpersistence::text, \
 pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relacl::text, \
 pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner)::text AS acldefault, \
 ip.initprivs::text, \
 c.relpages::int8 AS relpages, c.relispartition, \
 CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partbound, \
 CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkeydef, \
 c.reloptions, tc.reloptions AS toast_reloptions, \
 am.amname, COALESCE(ts.spcname, '') AS tablespace, c.relreplident::text, c.relrowsecurity, c.relforcerowsecurity, \
 c.relispopulated, CASE WHEN c.reloftype <> 0 THEN c.reloftype::pg_catalog.regtype::text END AS oftype, \
 d.refobjid AS owning_tab, d.refobjsubid AS owning_col, (d.deptype = 'i') AS is_identity, \
 CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef, \
 fs.srvname AS ftserver, \
 CASE WHEN c.relkind = 'f' THEN pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || \
   pg_catalog.quote_literal(option_value) FROM pg_catalog.pg_options_to_table(ft.ftoptions) ORDER BY option_name), E',\n    ') \
 END AS ftoptions \
 FROM pg_catalog.pg_class c \
 LEFT JOIN pg_catalog.pg_foreign_table ft ON (c.relkind = 'f' AND ft.ftrelid = c.oid) \
 LEFT JOIN pg_catalog.pg_foreign_server fs ON (fs.oid = ft.ftserver) \
 LEFT JOIN pg_catalog.pg_depend d ON (c.relkind = 'S' AND d.classid = c.tableoid AND d.objid = c.oid AND d.objsubid = 0 \
   AND d.refclassid = c.tableoid AND d.deptype IN ('a', 'i')) \
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid AND c.relkind <> 'p') \
 LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) \
 LEFT JOIN pg_catalog.pg_tablespace ts ON (ts.oid = c.reltablespace) \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (c.oid = ip.objoid AND ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objsubid = 0) \
 WHERE c.relkind IN ('r', 'S', 'v', 'c', 'm', 'f', 'p') \
 AND c.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 AND c.relnamespace <> 'information_schema'::pg_catalog.regnamespace \
 AND c.relnamespace <> 'pg_toast'::pg_catalog.regnamespace \
 ORDER BY c.oid";

/// Sequence parameters.
pub const SEQUENCES: &str = "SELECT s.seqrelid, pg_catalog.format_type(s.seqtypid, NULL) AS seqtype, s.seqstart, s.seqincrement, \
 s.seqmax, s.seqmin, s.seqcache, s.seqcycle FROM pg_catalog.pg_sequence s";

macro_rules! columns_select {
    () => {
        columns_select!("a.attcompression::text,")
    };
    ($compression:literal) => {
        concat!(
        "SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS atttypname, \
 a.attnotnull, a.attisdropped, a.attislocal, COALESCE(a.attstattarget::int4, -1) AS attstattarget, a.attstorage::text, t.typstorage::text, \
 a.attidentity::text, a.attgenerated::text, \
 CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation ELSE 0 END AS attcollation, ",
 $compression,
 " pg_catalog.array_to_string(a.attoptions, ', ') AS attoptions, \
 a.attacl::text, ip.initprivs::text, \
 CASE WHEN a.attfdwoptions IS NOT NULL THEN \
   pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(a.attfdwoptions) ORDER BY option_name), E',\n    ') END AS attfdwoptions")
    };
}

macro_rules! columns_from {
    () => {
        " FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS src(tbloid) \
 JOIN pg_catalog.pg_attribute a ON src.tbloid = a.attrelid \
 LEFT JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid) \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = a.attrelid AND ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objsubid = a.attnum)"
    };
}

/// Columns of the given tables, with their NOT NULL constraints as 18 stores them (a name,
/// NO INHERIT, local or inherited, validated); older servers give the column's own flags.
pub fn columns(server_num: u32) -> &'static str {
    if server_num >= 180000 {
        concat!(
            columns_select!(),
            ", co.conname::text AS notnull_name, COALESCE(co.connoinherit, false) AS notnull_noinherit, \
 COALESCE(co.conislocal, a.attislocal) AS notnull_islocal",
            columns_from!(),
            " LEFT JOIN pg_catalog.pg_constraint co ON (a.attrelid = co.conrelid \
 AND co.contype = 'n' AND co.conkey = ARRAY[a.attnum])",
            " WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum"
        )
    } else if server_num >= 140000 {
        concat!(
            columns_select!(),
            ", NULL::text AS notnull_name, false AS notnull_noinherit, a.attislocal AS notnull_islocal",
            columns_from!(),
            " WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum"
        )
    } else {
        // 14 added column compression.
        concat!(
            columns_select!("''::text AS attcompression,"),
            ", NULL::text AS notnull_name, false AS notnull_noinherit, a.attislocal AS notnull_islocal",
            columns_from!(),
            " WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum"
        )
    }
}

/// Column defaults.
pub const ATTRDEFS: &str = "SELECT a.tableoid, a.oid, a.adrelid, a.adnum, pg_catalog.pg_get_expr(a.adbin, a.adrelid) AS adsrc \
 FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS src(tbloid) \
 JOIN pg_catalog.pg_attrdef a ON (src.tbloid = a.adrelid) ORDER BY a.adrelid, a.adnum";

/// Check constraints of tables and domains.
pub const CHECKS: &str = "SELECT c.tableoid, c.oid, c.conrelid, c.contypid, c.conname, \
 pg_catalog.pg_get_constraintdef(c.oid) AS consrc, c.conislocal, c.convalidated \
 FROM pg_catalog.pg_constraint c WHERE c.contype = 'c' ORDER BY c.conrelid, c.contypid, c.conname";

/// pg_catalog relations whose privileges, or whose columns' privileges, differ from those
/// initdb gave them: pg_dump dumps only those ACLs of the system catalog.
pub const CATALOG_ACLS: &str = "SELECT c.oid, c.relname, c.relnamespace, c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner) AS owner, \
 c.relacl::text, pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner)::text AS acldefault, \
 ip.initprivs::text, cols.colnames, cols.colacls, cols.colinit \
 FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_init_privs ip \
   ON ip.objoid = c.oid AND ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objsubid = 0 \
 LEFT JOIN LATERAL (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) AS colnames, \
     pg_catalog.array_agg(a.attacl::text ORDER BY a.attnum) AS colacls, \
     pg_catalog.array_agg(pa.initprivs::text ORDER BY a.attnum) AS colinit \
   FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_init_privs pa \
     ON pa.objoid = a.attrelid AND pa.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND pa.objsubid = a.attnum \
   WHERE a.attrelid = c.oid AND NOT a.attisdropped AND a.attacl IS DISTINCT FROM pa.initprivs) cols ON true \
 WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p') \
 AND (c.relacl IS DISTINCT FROM ip.initprivs OR cols.colnames IS NOT NULL) \
 ORDER BY c.oid";

/// Table inheritance.
pub const INHERITS: &str =
    "SELECT inhrelid, inhparent FROM pg_catalog.pg_inherits ORDER BY inhrelid, inhseqno";

// The index query's SELECT, shared by both orderings below.
macro_rules! indexes_select {
    () => {
        "SELECT t.tableoid, t.oid, i.indrelid, t.relname AS indexname, \
 CASE WHEN c.oid IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END AS indexdef, i.indnkeyatts::int4, i.indnatts::int4, \
 i.indisclustered, i.indisreplident, c.contype::text, c.conname, c.condeferrable, c.condeferred, \
 c.tableoid AS contableoid, c.oid AS conoid, \
 CASE WHEN c.oid IS NOT NULL THEN pg_catalog.pg_get_constraintdef(c.oid, false) END AS condef, \
 COALESCE(ts.spcname, '') AS tablespace, t.reloptions AS indreloptions, \
 st.cols AS indstatcols, st.vals AS indstatvals, \
 COALESCE(inh.inhparent, 0) AS parentidx \
 FROM pg_catalog.pg_index i \
 JOIN pg_catalog.pg_class t ON (t.oid = i.indexrelid) \
 JOIN pg_catalog.pg_class t2 ON (t2.oid = i.indrelid) \
 LEFT JOIN pg_catalog.pg_constraint c ON (i.indrelid = c.conrelid AND i.indexrelid = c.conindid AND c.contype IN ('p', 'u', 'x')) \
 LEFT JOIN pg_catalog.pg_inherits inh ON (inh.inhrelid = i.indexrelid) \
 LEFT JOIN pg_catalog.pg_tablespace ts ON (ts.oid = t.reltablespace) \
 LEFT JOIN (SELECT a.attrelid, pg_catalog.array_agg(a.attnum::int4 ORDER BY a.attnum) AS cols, \
              pg_catalog.array_agg(a.attstattarget::int4 ORDER BY a.attnum) AS vals \
            FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_index xi ON xi.indexrelid = a.attrelid AND xi.indexprs IS NOT NULL \
            WHERE a.attstattarget >= 0 GROUP BY a.attrelid) st ON st.attrelid = i.indexrelid \
 WHERE (i.indisvalid OR t2.relkind = 'p') AND i.indisready \
 AND t2.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 AND t2.relnamespace <> 'pg_toast'::pg_catalog.regnamespace \
 AND t2.relnamespace <> 'information_schema'::pg_catalog.regnamespace"
    };
}

/// Indexes, with the constraints they implement. Statistics targets are looked up only for
/// expression indexes: only an expression column of an index can carry one.
pub const INDEXES: &str = concat!(indexes_select!(), " ORDER BY i.indrelid, indexname");

/// [`INDEXES`] for a helper connection: every definition is computed before the first row is
/// sent (the sort above the materialized rows needs them all), so the server does that work
/// while the leader reads other queries, and the rows then wait on the server, not in memory.
pub const INDEXES_PRECOMPUTED: &str = concat!(
    "WITH r AS MATERIALIZED (",
    indexes_select!(),
    ") SELECT * FROM r ORDER BY indrelid, indexname"
);

/// Foreign keys (not the clones on partitions).
pub const FOREIGN_KEYS: &str = "SELECT c.tableoid, c.oid, c.conrelid, c.conname, c.confrelid, \
 pg_catalog.pg_get_constraintdef(c.oid) AS condef \
 FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid <> 0 \
 ORDER BY c.conrelid, c.conname";

/// Triggers (not internal ones, not clones on partitions).
/// A partition's clone of its parent's trigger is listed only when its enabled state differs.
pub const TRIGGERS: &str = "SELECT t.tableoid, t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, false) AS tgdef, \
 t.tgenabled::text, t.tgparentid <> 0 AS tgispartition FROM pg_catalog.pg_trigger t \
 LEFT JOIN pg_catalog.pg_trigger u ON u.oid = t.tgparentid \
 WHERE (NOT t.tgisinternal AND t.tgparentid = 0) OR t.tgenabled <> u.tgenabled ORDER BY t.tgrelid, t.tgname";

/// Row-level security policies.
pub const POLICIES: &str = "SELECT pol.tableoid, pol.oid, pol.polrelid, pol.polname, pol.polcmd::text, pol.polpermissive, \
 CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(rolname) \
   FROM pg_catalog.pg_roles WHERE oid = ANY(pol.polroles)), ', ') END AS polroles, \
 pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS polqual, \
 pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS polwithcheck \
 FROM pg_catalog.pg_policy pol ORDER BY pol.oid";

/// User casts (not the built-in ones, not those created internally with a range type).
pub const CASTS: &str = "SELECT c.tableoid, c.oid, st.typname AS srcname, tt.typname AS tgtname, \
 pg_catalog.format_type(c.castsource, NULL) AS source, pg_catalog.format_type(c.casttarget, NULL) AS target, \
 c.castmethod::text, c.castcontext::text, \
 CASE WHEN c.castfunc <> 0 THEN pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' || \
   pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(p.proargtypes[i], NULL) \
   FROM pg_catalog.generate_series(0, p.pronargs - 1) i), ', ') || ')' END AS func \
 FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_type st ON st.oid = c.castsource JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget \
 LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
 WHERE c.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass \
   AND d.objid = c.oid AND d.deptype = 'i') \
 ORDER BY c.castsource, c.casttarget";

/// Operators outside pg_catalog, with what dumpOpr prints (commutator and negator by name).
pub const OPERATORS: &str = "SELECT o.tableoid, o.oid, o.oprname, o.oprnamespace, pg_catalog.pg_get_userbyid(o.oprowner) AS owner, \
 o.oprkind::text, o.oprcode::pg_catalog.regprocedure::text AS oprcode, o.oprleft::pg_catalog.regtype::text AS oprleft, \
 o.oprright::pg_catalog.regtype::text AS oprright, cn.nspname AS comnsp, c.oprname AS comname, \
 nn.nspname AS negnsp, n.oprname AS negname, o.oprcanmerge, o.oprcanhash, \
 o.oprrest::pg_catalog.regprocedure::text AS oprrest, o.oprjoin::pg_catalog.regprocedure::text AS oprjoin \
 FROM pg_catalog.pg_operator o \
 LEFT JOIN pg_catalog.pg_operator c ON c.oid = o.oprcom LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace \
 LEFT JOIN pg_catalog.pg_operator n ON n.oid = o.oprnegate LEFT JOIN pg_catalog.pg_namespace nn ON nn.oid = n.oprnamespace \
 WHERE o.oprnamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY o.oid";

/// Access methods (pg_dump dumps the user-made ones).
pub const ACCESS_METHODS: &str = "SELECT a.tableoid, a.oid, a.amname, a.amtype::text, a.amhandler::pg_catalog.regproc::text AS amhandler \
 FROM pg_catalog.pg_am a ORDER BY a.oid";

/// Operator families outside pg_catalog.
pub const OPFAMILIES: &str = "SELECT f.tableoid, f.oid, f.opfname, f.opfnamespace, pg_catalog.pg_get_userbyid(f.opfowner) AS owner, \
 (SELECT amname FROM pg_catalog.pg_am WHERE oid = f.opfmethod) AS amname \
 FROM pg_catalog.pg_opfamily f WHERE f.opfnamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY f.oid";

/// Operator classes outside pg_catalog.
pub const OPCLASSES: &str = "SELECT c.tableoid, c.oid, c.opcname, c.opcnamespace, pg_catalog.pg_get_userbyid(c.opcowner) AS owner, \
 c.opcintype::pg_catalog.regtype::text AS opcintype, c.opckeytype::pg_catalog.regtype::text AS opckeytype, c.opcdefault, \
 f.opfname AS familyname, fn.nspname AS familynsp, (SELECT amname FROM pg_catalog.pg_am WHERE oid = c.opcmethod) AS amname \
 FROM pg_catalog.pg_opclass c LEFT JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily \
 LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace \
 WHERE c.opcnamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY c.oid";

/// Operators of user operator classes and families, each under the class or family its
/// pg_depend entry ties it to (dumpOpclass's and dumpOpfamily's member queries, for all at once).
pub const AM_OPS: &str = "SELECT d.refclassid, d.refobjid, ao.amopstrategy::int AS amopstrategy, \
 ao.amopopr::pg_catalog.regoperator::text AS amopopr, f.opfname AS sortfamily, n.nspname AS sortfamilynsp \
 FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND d.objid = ao.oid \
 LEFT JOIN pg_catalog.pg_opfamily f ON f.oid = ao.amopsortfamily LEFT JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace \
 WHERE ao.amopfamily IN (SELECT oid FROM pg_catalog.pg_opfamily WHERE opfnamespace <> 'pg_catalog'::pg_catalog.regnamespace) \
 AND ((d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass \
       AND ao.amopfamily = (SELECT opcfamily FROM pg_catalog.pg_opclass WHERE oid = d.refobjid)) \
   OR (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND ao.amopfamily = d.refobjid)) \
 ORDER BY d.refclassid, d.refobjid, ao.amopstrategy, ao.oid";

/// Support functions of user operator classes and families, likewise.
pub const AM_PROCS: &str = "SELECT d.refclassid, d.refobjid, ap.amprocnum::int AS amprocnum, \
 ap.amproc::pg_catalog.regprocedure::text AS amproc, ap.amproclefttype::pg_catalog.regtype::text AS lefttype, \
 ap.amprocrighttype::pg_catalog.regtype::text AS righttype \
 FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND d.objid = ap.oid \
 WHERE d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass, 'pg_catalog.pg_opfamily'::pg_catalog.regclass) \
 AND ap.amprocfamily IN (SELECT oid FROM pg_catalog.pg_opfamily WHERE opfnamespace <> 'pg_catalog'::pg_catalog.regnamespace) \
 ORDER BY d.refclassid, d.refobjid, ap.amprocnum, ap.oid";

/// Foreign-data wrappers, options already as pg_dump prints them.
pub const FDWS: &str = "SELECT w.tableoid, w.oid, w.fdwname, pg_catalog.pg_get_userbyid(w.fdwowner) AS owner, \
 w.fdwhandler::pg_catalog.regproc::text AS fdwhandler, w.fdwvalidator::pg_catalog.regproc::text AS fdwvalidator, \
 w.fdwacl::text, pg_catalog.acldefault('F', w.fdwowner)::text AS acldefault, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(w.fdwoptions) ORDER BY option_name), E',\n    ') AS fdwoptions \
 FROM pg_catalog.pg_foreign_data_wrapper w ORDER BY w.oid";

/// Foreign servers with their wrapper's name and user mappings (pg_dump's dumpUserMappings
/// reads the public view, so options it may not see come out empty there too).
pub const FOREIGN_SERVERS: &str = "SELECT s.tableoid, s.oid, s.srvname, pg_catalog.pg_get_userbyid(s.srvowner) AS owner, \
 w.fdwname, s.srvtype, s.srvversion, s.srvacl::text, pg_catalog.acldefault('S', s.srvowner)::text AS acldefault, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(s.srvoptions) ORDER BY option_name), E',\n    ') AS srvoptions, \
 ARRAY(SELECT um.usename::text FROM pg_catalog.pg_user_mappings um WHERE um.srvid = s.oid ORDER BY um.usename) AS mapping_users, \
 ARRAY(SELECT pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(um.umoptions) ORDER BY option_name), E',\n    ') \
   FROM pg_catalog.pg_user_mappings um WHERE um.srvid = s.oid ORDER BY um.usename) AS mapping_options \
 FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw ORDER BY s.oid";

/// Large objects' owners and privileges (their contents are read while writing).
pub const LARGE_OBJECTS: &str = "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner) AS owner, \
 l.lomacl::text, pg_catalog.acldefault('L', l.lomowner)::text AS acldefault \
 FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.oid";

/// Large objects in pg_dump 17's order, which makes its groups: by owner, then privileges.
pub const LARGE_OBJECTS_BY_OWNER: &str =
    "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner) AS owner, \
 l.lomacl::text, pg_catalog.acldefault('L', l.lomowner)::text AS acldefault \
 FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.lomowner, l.lomacl::pg_catalog.text, l.oid";

/// Transforms, with their functions' signatures as pg_dump's format_function_signature.
pub const TRANSFORMS: &str = "SELECT t.tableoid, t.oid, ty.typname, l.lanname, pg_catalog.format_type(t.trftype, NULL) AS trftype, \
 fn.nspname AS fromnsp, f.proname AS fromname, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(f.proargtypes[i], NULL) \
   FROM pg_catalog.generate_series(0, f.pronargs - 1) i), ', ') AS fromargs, \
 tn.nspname AS tonsp, tp.proname AS toname, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(tp.proargtypes[i], NULL) \
   FROM pg_catalog.generate_series(0, tp.pronargs - 1) i), ', ') AS toargs \
 FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_type ty ON ty.oid = t.trftype \
 JOIN pg_catalog.pg_language l ON l.oid = t.trflang \
 LEFT JOIN pg_catalog.pg_proc f ON f.oid = t.trffromsql LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace \
 LEFT JOIN pg_catalog.pg_proc tp ON tp.oid = t.trftosql LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tp.pronamespace \
 ORDER BY t.oid";

/// User-made procedural languages.
pub const LANGUAGES: &str = "SELECT l.tableoid, l.oid, l.lanname, l.lanpltrusted, l.lanplcallfoid, l.laninline, l.lanvalidator, \
 pg_catalog.pg_get_userbyid(l.lanowner) AS owner, l.lanacl::text, pg_catalog.acldefault('l', l.lanowner)::text AS acldefault \
 FROM pg_catalog.pg_language l WHERE l.lanispl ORDER BY l.oid";

/// Encoding conversions outside pg_catalog.
pub const CONVERSIONS: &str = "SELECT c.tableoid, c.oid, c.conname, c.connamespace, pg_catalog.pg_get_userbyid(c.conowner) AS owner, \
 pg_catalog.pg_encoding_to_char(c.conforencoding) AS forenc, pg_catalog.pg_encoding_to_char(c.contoencoding) AS toenc, \
 c.conproc::text AS conproc, c.condefault \
 FROM pg_catalog.pg_conversion c WHERE c.connamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY c.oid";

/// Text search parsers and templates outside pg_catalog, their functions as `regproc` text.
pub const TS_PARSERS_AND_TEMPLATES: &str = "SELECT p.tableoid, p.oid, p.prsname AS name, p.prsnamespace AS nsp, \
 p.prsstart::pg_catalog.regproc::text AS prsstart, p.prstoken::pg_catalog.regproc::text AS prstoken, \
 p.prsend::pg_catalog.regproc::text AS prsend, \
 CASE WHEN p.prsheadline <> 0 THEN p.prsheadline::pg_catalog.regproc::text END AS prsheadline, \
 p.prslextype::pg_catalog.regproc::text AS prslextype, NULL::text AS tmplinit, NULL::text AS tmpllexize \
 FROM pg_catalog.pg_ts_parser p WHERE p.prsnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 UNION ALL SELECT t.tableoid, t.oid, t.tmplname, t.tmplnamespace, NULL, NULL, NULL, NULL, NULL, \
 CASE WHEN t.tmplinit <> 0 THEN t.tmplinit::pg_catalog.regproc::text END, \
 t.tmpllexize::pg_catalog.regproc::text \
 FROM pg_catalog.pg_ts_template t WHERE t.tmplnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 ORDER BY 1, 2";

/// Subscriptions of the current database (reading their connection strings takes a superuser,
/// as for pg_dump), with the columns the server's major has: 16 made `substream` a char and
/// added `suborigin`, `subpasswordrequired` and `subrunasowner`; 17 added `subfailover`; 15
/// added `subtwophasestate` and `subdisableonerr` (off before); 14 `subbinary` and `substream`
/// (off before). Older
/// servers' subscriptions read as pg_dump 16 reads them (they ran as their owner).
pub fn subscriptions(server_num: u32) -> &'static str {
    macro_rules! subscriptions {
        ($cols:literal) => {
            concat!(
                "SELECT s.tableoid, s.oid, s.subname, pg_catalog.pg_get_userbyid(s.subowner) AS owner, \
 s.subconninfo, s.subslotname::text, s.subsynccommit, s.subpublications, ",
                $cols,
                " FROM pg_catalog.pg_subscription s \
 WHERE s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) \
 ORDER BY s.oid"
            )
        };
    }
    match server_num {
        ..140000 => subscriptions!(
            "false AS subbinary, 'd' AS subtwophasestate, false AS subdisableonerr, \
 'f' AS substream, 'any' AS suborigin, \
 true AS subpasswordrequired, true AS subrunasowner, false AS subfailover"
        ),
        140000..150000 => subscriptions!(
            "s.subbinary, 'd' AS subtwophasestate, false AS subdisableonerr, \
 CASE WHEN s.substream THEN 't' ELSE 'f' END AS substream, 'any' AS suborigin, \
 true AS subpasswordrequired, true AS subrunasowner, false AS subfailover"
        ),
        150000..160000 => subscriptions!(
            "s.subbinary, s.subtwophasestate::text, s.subdisableonerr, \
 CASE WHEN s.substream THEN 't' ELSE 'f' END AS substream, 'any' AS suborigin, \
 true AS subpasswordrequired, true AS subrunasowner, false AS subfailover"
        ),
        160000..170000 => subscriptions!(
            "s.subbinary, s.subtwophasestate::text, s.subdisableonerr, \
 s.substream::text, s.suborigin, s.subpasswordrequired, s.subrunasowner, false AS subfailover"
        ),
        _ => subscriptions!(
            "s.subbinary, s.subtwophasestate::text, s.subdisableonerr, \
 s.substream::text, s.suborigin, s.subpasswordrequired, s.subrunasowner, s.subfailover"
        ),
    }
}

/// How many subscriptions the current database has (for a user who may not read them).
pub const SUBSCRIPTION_COUNT: &str = "SELECT count(*)::int4 AS n FROM pg_catalog.pg_subscription \
 WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())";

/// Text search dictionaries.
pub const TS_DICTS: &str = "SELECT d.tableoid, d.oid, d.dictname, d.dictnamespace, pg_catalog.pg_get_userbyid(d.dictowner) AS owner, \
 d.dictinitoption, t.tmplname, tn.nspname AS tmplnsp \
 FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate \
 JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace ORDER BY d.oid";

/// Text search configurations.
pub const TS_CONFIGS: &str = "SELECT c.tableoid, c.oid, c.cfgname, c.cfgnamespace, pg_catalog.pg_get_userbyid(c.cfgowner) AS owner, \
 p.prsname, pn.nspname AS prsnsp \
 FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser \
 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace ORDER BY c.oid";

/// Token mappings of user text search configurations.
pub const TS_CONFIG_MAPS: &str = "SELECT m.mapcfg, (SELECT alias FROM pg_catalog.ts_token_type(c.cfgparser) AS t \
   WHERE t.tokid = m.maptokentype) AS tokenname, m.mapdict::pg_catalog.regdictionary::text AS dictname \
 FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.pg_ts_config c ON c.oid = m.mapcfg \
 WHERE c.oid >= 16384 ORDER BY m.mapcfg, m.maptokentype, m.mapseqno";

/// Event triggers.
pub const EVENT_TRIGGERS: &str = "SELECT e.tableoid, e.oid, e.evtname, e.evtenabled::text, e.evtevent, \
 pg_catalog.pg_get_userbyid(e.evtowner) AS owner, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x) FROM pg_catalog.unnest(e.evttags) AS t(x)), ', ') AS evttags, \
 e.evtfoid::pg_catalog.regproc::text AS evtfname \
 FROM pg_catalog.pg_event_trigger e ORDER BY e.oid";

/// Publications.
pub const PUBLICATIONS: &str =
    "SELECT p.tableoid, p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner) AS owner, \
 p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot \
 FROM pg_catalog.pg_publication p ORDER BY p.oid";

/// Tables in publications, with column lists and row filters (15 added both).
pub fn publication_rels(server_num: u32) -> &'static str {
    if server_num >= 150000 {
        "SELECT pr.tableoid, pr.oid, pr.prpubid, pr.prrelid, \
 pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) AS prrelqual, \
 (CASE WHEN pr.prattrs IS NOT NULL THEN (SELECT pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(attname) \
   FROM pg_catalog.pg_attribute WHERE attrelid = pr.prrelid AND attnum = ANY(pr.prattrs) ORDER BY attnum), ', ')) END) AS prattrs \
 FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid"
    } else {
        "SELECT pr.tableoid, pr.oid, pr.prpubid, pr.prrelid, NULL::text AS prrelqual, NULL::text AS prattrs \
 FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid"
    }
}

/// Schemas in publications (15 added them: none before).
pub fn publication_schemas(server_num: u32) -> &'static str {
    if server_num >= 150000 {
        "SELECT pn.tableoid, pn.oid, pn.pnpubid, pn.pnnspid FROM pg_catalog.pg_publication_namespace pn ORDER BY pn.oid"
    } else {
        "SELECT 0::pg_catalog.oid AS tableoid, 0::pg_catalog.oid AS oid, 0::pg_catalog.oid AS pnpubid, \
 0::pg_catalog.oid AS pnnspid WHERE false"
    }
}

/// Extended statistics.
pub const STATS_EXT: &str = "SELECT s.tableoid, s.oid, s.stxname, s.stxnamespace, pg_catalog.pg_get_userbyid(s.stxowner) AS owner, \
 s.stxrelid, COALESCE(s.stxstattarget::int4, -1) AS stxstattarget, pg_catalog.pg_get_statisticsobjdef(s.oid) AS def \
 FROM pg_catalog.pg_statistic_ext s ORDER BY s.oid";

/// Default privileges.
pub const DEFAULT_ACLS: &str = "SELECT d.tableoid, d.oid, pg_catalog.pg_get_userbyid(d.defaclrole) AS defaclrole, \
 d.defaclnamespace, d.defaclobjtype::text, d.defaclacl::text, \
 CASE WHEN d.defaclnamespace = 0 THEN pg_catalog.acldefault(CASE WHEN d.defaclobjtype = 'S' THEN 's'::\"char\" \
   ELSE d.defaclobjtype END, d.defaclrole)::text ELSE '{}' END AS acldefault \
 FROM pg_catalog.pg_default_acl d ORDER BY d.oid";

/// Rewrite rules.
pub const RULES: &str =
    "SELECT r.tableoid, r.oid, r.rulename, r.ev_class, r.ev_type::text, r.is_instead, r.ev_enabled::text, \
 CASE WHEN r.rulename <> '_RETURN' THEN pg_catalog.pg_get_ruledef(r.oid) END AS ruledef \
 FROM pg_catalog.pg_rewrite r ORDER BY r.oid";

/// Every comment.
pub const COMMENTS: &str =
    "SELECT classoid, objoid, objsubid, description FROM pg_catalog.pg_description \
 ORDER BY classoid, objoid, objsubid";

/// Dependencies pg_dump uses for ordering (read in index order: no sort of a big pg_depend).
pub const DEPENDS: &str =
    "SELECT classid, objid, refclassid, refobjid, deptype::text FROM pg_catalog.pg_depend \
 WHERE deptype != 'p' AND deptype != 'e' ORDER BY 1, 2";

/// Dependencies of operator family members, which count as their family's (pg_dump's
/// getDependencies). Members below the first unpinned OID have no pg_depend rows.
pub const FAMILY_MEMBER_DEPENDS: &str =
    "SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid AS classid, o.amopfamily AS objid, d.refclassid, d.refobjid, d.deptype::text \
 FROM pg_catalog.pg_amop o JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND d.objid = o.oid \
 WHERE o.oid >= 10000 AND d.deptype NOT IN ('p', 'e', 'i') \
 AND NOT (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND o.amopfamily = d.refobjid) \
 UNION ALL SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid, p.amprocfamily, d.refclassid, d.refobjid, d.deptype::text \
 FROM pg_catalog.pg_amproc p JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND d.objid = p.oid \
 WHERE p.oid >= 10000 AND d.deptype NOT IN ('p', 'e', 'i') \
 AND NOT (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND p.amprocfamily = d.refobjid) \
 ORDER BY 1, 2";

/// Security labels (pg_dump's collectSecLabels; a label's providers in name order).
pub const SECLABELS: &str = "SELECT label, provider, classoid, objoid, objsubid \
 FROM pg_catalog.pg_seclabel ORDER BY classoid, objoid, objsubid, provider";

/// The size figures of the relations whose statistics are dumped (pg_dump 18's
/// `--statistics`): 18 added `relallfrozen`. $1: the relations' oids.
pub fn relation_stats(server_num: u32) -> &'static str {
    match server_num {
        // Before 14 a relation never vacuumed or analyzed had reltuples 0, not -1: pg_dump 18
        // writes what 14 would have.
        ..140000 => {
            "SELECT c.oid, c.relpages, \
 CASE WHEN c.relpages = 0 AND c.reltuples = 0 THEN '-1' ELSE c.reltuples::text END AS reltuples, \
 c.relallvisible, NULL::int4 AS relallfrozen \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid"
        }
        140000..180000 => {
            "SELECT c.oid, c.relpages, c.reltuples::text, c.relallvisible, \
 NULL::int4 AS relallfrozen \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid"
        }
        _ => {
            "SELECT c.oid, c.relpages, c.reltuples::text, c.relallvisible, c.relallfrozen \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid"
        }
    }
}

/// The pg_stats rows of those relations, by relation, column name and inherited, every value
/// as text (in the session's extra_float_digits): 17 added the range columns. $1: the oids.
pub fn attribute_stats(server_num: u32) -> &'static str {
    macro_rules! attribute_stats {
        ($ranges:literal) => {
            concat!(
                "SELECT c.oid, s.attname::text, a.attnum, s.inherited, s.null_frac::text, \
 s.avg_width::text, s.n_distinct::text, s.most_common_vals::text, s.most_common_freqs::text, \
 s.histogram_bounds::text, s.correlation::text, s.most_common_elems::text, \
 s.most_common_elem_freqs::text, s.elem_count_histogram::text, ",
                $ranges,
                " FROM pg_catalog.pg_class c \
 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
 JOIN pg_catalog.pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname \
 JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname \
 WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid, s.attname, s.inherited"
            )
        };
    }
    if server_num >= 170000 {
        attribute_stats!(
            "s.range_length_histogram::text, s.range_empty_frac::text, s.range_bounds_histogram::text"
        )
    } else {
        attribute_stats!(
            "NULL::text AS range_length_histogram, NULL::text AS range_empty_frac, \
 NULL::text AS range_bounds_histogram"
        )
    }
}
