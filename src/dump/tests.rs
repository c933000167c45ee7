use std::io::{self, Read};

use super::*;

/// A reader that hands out at most `step` bytes per call, to exercise every refill boundary.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[derive(Debug, PartialEq)]
enum V {
    Null,
    Num(String),
    Text(Vec<u8>),
}

type Rows = Vec<(String, Vec<String>, Vec<V>)>;

fn rows_with_step(sql: &[u8], step: usize) -> Result<Rows, DumpError> {
    let mut reader = DumpReader::new(Trickle { data: sql, step });
    let mut out = Vec::new();
    while let Some(row) = reader.next_row()? {
        let values = row
            .values()
            .map(|v| match v {
                Value::Null => V::Null,
                Value::Number(n) => V::Num(String::from_utf8(n.to_vec()).unwrap()),
                Value::Text(t) => V::Text(t.to_vec()),
            })
            .collect();
        out.push((row.table.to_string(), row.columns.to_vec(), values));
    }
    Ok(out)
}

fn rows(sql: &[u8]) -> Result<Rows, DumpError> {
    let whole = rows_with_step(sql, usize::MAX)?;
    for step in [1, 2, 3, 7] {
        let trickled = rows_with_step(sql, step).expect("same result at every refill boundary");
        assert_eq!(whole, trickled, "step {step}");
    }
    Ok(whole)
}

fn t(s: &str) -> V {
    V::Text(s.as_bytes().to_vec())
}

const HEAD: &str = "-- MySQL dump\n/*!40101 SET NAMES utf8mb4 */;\nDROP TABLE IF EXISTS `t`;\nCREATE TABLE `t` (\n  `ID` int(11) NOT NULL,\n  `Title` varchar(10) DEFAULT '',\n  `Note` text DEFAULT NULL,\n  PRIMARY KEY (`ID`),\n  KEY `x` (`Title`)\n) ENGINE=MyISAM;\nLOCK TABLES `t` WRITE;\n";
const TAIL: &str = "UNLOCK TABLES;\n-- Dump completed\n";

fn dump(inserts: &str) -> Vec<u8> {
    format!("{HEAD}{inserts}{TAIL}").into_bytes()
}

#[test]
fn every_escape_is_decoded() {
    let sql = dump(
        r#"INSERT INTO `t` VALUES (1,'a\0b\'c\"d\\e\nf\rg\Zh\ti\bj\%k\_l\qm''n','	tab');
"#,
    );
    let r = rows(&sql).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].2[0], V::Num("1".into()));
    assert_eq!(
        r[0].2[1],
        V::Text(b"a\0b'c\"d\\e\nf\rg\x1ah\ti\x08j\\%k\\_lqm'n".to_vec())
    );
    assert_eq!(r[0].2[2], t("\ttab"));
    assert_eq!(r[0].1, vec!["ID", "Title", "Note"]);
}

#[test]
fn nulls_numbers_and_whitespace_between_tuples() {
    let sql = dump("INSERT INTO `t` VALUES (1,NULL,'x') ,\n ( 2 , '' , null ),(-3.5e2,'y','z');\n");
    let r = rows(&sql).unwrap();
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].2, vec![V::Num("1".into()), V::Null, t("x")]);
    assert_eq!(r[1].2, vec![V::Num("2".into()), t(""), V::Null]);
    assert_eq!(r[2].2[0], V::Num("-3.5e2".into()));
}

#[test]
fn column_list_and_modifiers() {
    let sql = dump("INSERT IGNORE INTO `db`.`t` (`Note`, `ID`) VALUES ('n',5);\nREPLACE INTO t VALUES (6,'a','b');\n");
    let r = rows(&sql).unwrap();
    assert_eq!(r[0].0, "t");
    assert_eq!(r[0].1, vec!["Note", "ID"]);
    assert_eq!(r[0].2, vec![t("n"), V::Num("5".into())]);
    assert_eq!(r[1].1, vec!["ID", "Title", "Note"]);
}

#[test]
fn binary_and_hex_literals() {
    let sql = dump("INSERT INTO `t` VALUES (1,_binary 'a\\0',0x41FF),(2,X'4142',_utf8mb4 'ü');\n");
    let r = rows(&sql).unwrap();
    assert_eq!(r[0].2[1], V::Text(b"a\0".to_vec()));
    assert_eq!(r[0].2[2], V::Text(vec![0x41, 0xff]));
    assert_eq!(r[1].2[1], t("AB"));
    assert_eq!(r[1].2[2], t("ü"));
}

#[test]
fn invalid_utf8_is_kept_as_bytes() {
    let mut sql = dump("INSERT INTO `t` VALUES (1,'@@','x');\n");
    let at = sql.windows(2).position(|w| w == b"@@").unwrap();
    sql[at] = 0xff;
    sql[at + 1] = 0xc3;
    let r = rows(&sql).unwrap();
    assert_eq!(r[0].2[1], V::Text(vec![0xff, 0xc3]));
}

#[test]
fn trigger_blocks_are_skipped() {
    let trigger = "DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER `x` BEFORE UPDATE ON `t` FOR EACH ROW BEGIN\n  INSERT INTO `t` (`ID`) VALUES (OLD.ID + 1);\nEND */;;\nDELIMITER ;\n";
    let sql = format!("{HEAD}INSERT INTO `t` VALUES (1,'a','b');\n{TAIL}{trigger}/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n");
    let r = rows(sql.as_bytes()).unwrap();
    assert_eq!(r.len(), 1);
}

#[test]
fn semicolons_and_parens_inside_strings() {
    let sql = dump("INSERT INTO `t` VALUES (1,'a);(b','c;\\'d'),(2,'VALUES (x)','');\n");
    let r = rows(&sql).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].2[1], t("a);(b"));
    assert_eq!(r[0].2[2], t("c;'d"));
}

#[test]
fn a_large_value_grows_the_buffer() {
    let big = "x".repeat(9 << 20);
    let sql = dump(&format!(
        "INSERT INTO `t` VALUES (1,'{big}','y'),(2,'z','w');\n"
    ));
    let r = rows_with_step(&sql, usize::MAX).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].2[1], V::Text(big.into_bytes()));
}

#[test]
fn truncation_anywhere_in_the_data_is_an_error() {
    let sql = dump(
        "INSERT INTO `t` VALUES (1,'abc','d'),(2,'e','f');\nINSERT INTO `t` VALUES (3,'g','h');\n",
    );
    let first = HEAD.len();
    let last = sql.len() - TAIL.len() + "UNLOCK TABLES;".len() - 1;
    for cut in first..last {
        let err = rows_with_step(&sql[..cut], usize::MAX).expect_err(&format!("cut at {cut}"));
        assert!(
            matches!(err, DumpError::Truncated { .. }),
            "cut at {cut}: {err}"
        );
        assert_eq!(err.offset(), cut as u64);
    }
}

#[test]
fn foreign_files_are_not_dumps() {
    for text in [
        &b"%PDF-1.4\n..."[..],
        b"{\"a\": 1}",
        b"hello world",
        b"\x00\x01\x02",
        b"",
        b"COPY t FROM stdin;",
    ] {
        let err = rows_with_step(text, usize::MAX).expect_err("not a dump");
        assert!(matches!(err, DumpError::NotADump { .. }), "{err}");
    }
}

#[test]
fn syntax_errors_name_their_offset() {
    let sql = dump("INSERT INTO `t` VALUES (1,'a' 'b');\n");
    let err = rows(&sql).unwrap_err();
    let at = String::from_utf8_lossy(&sql).find("'b'").unwrap();
    assert!(matches!(err, DumpError::Syntax { .. }), "{err}");
    assert_eq!(err.offset(), at as u64);
}

#[test]
fn create_table_if_not_exists_and_keys() {
    let sql = b"CREATE TABLE IF NOT EXISTS `x` (`a` int, b text, PRIMARY KEY (`a`), UNIQUE KEY `u` (b)) ENGINE=InnoDB COMMENT='a;b';\nINSERT INTO x VALUES (1,'2');\n";
    let r = rows(sql).unwrap();
    assert_eq!(r[0].1, vec!["a", "b"]);
}
