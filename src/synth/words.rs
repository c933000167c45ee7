//! The vocabulary: about 50 000 words in seven languages, built deterministically (a few hundred
//! real words per language, ranked first, then pseudo-words from each language's syllables),
//! each language with its own Zipf ranking.

use std::collections::HashSet;

use super::out::is_safe;
use super::rng::{Rng, Zipf};

/// The languages of the generated text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lang {
    En,
    De,
    Fr,
    Ru,
    Zh,
    El,
    Ar,
}

impl Lang {
    pub(super) const ALL: [Lang; 7] = [
        Lang::En,
        Lang::De,
        Lang::Fr,
        Lang::Ru,
        Lang::Zh,
        Lang::El,
        Lang::Ar,
    ];

    /// Whether words are separated by spaces.
    pub(super) fn spaced(self) -> bool {
        self != Lang::Zh
    }

    /// Average UTF-8 bytes per character of its text.
    pub(super) fn bytes_per_char(self) -> usize {
        match self {
            Lang::En | Lang::De | Lang::Fr => 1,
            Lang::Ru | Lang::El | Lang::Ar => 2,
            Lang::Zh => 3,
        }
    }

    fn vocab_size(self) -> usize {
        match self {
            Lang::En => 20_000,
            Lang::De => 7_000,
            Lang::Fr => 6_000,
            Lang::Ru => 9_000,
            Lang::Zh => 3_500,
            Lang::El => 2_200,
            Lang::Ar => 2_300,
        }
    }
}

/// One language's words, most frequent first.
pub(super) struct WordList {
    arena: Vec<u8>,
    spans: Vec<(u32, u32)>,
    zipf: Zipf,
}

impl WordList {
    #[inline]
    pub(super) fn word(&self, rank: usize) -> &[u8] {
        let (a, b) = self.spans[rank];
        &self.arena[a as usize..b as usize]
    }

    /// A Zipf-drawn word.
    #[inline]
    pub(super) fn sample(&self, rng: &mut Rng) -> &[u8] {
        self.word(self.zipf.sample(rng))
    }

    /// A word drawn uniformly among the less common ones (good for names of things).
    #[inline]
    pub(super) fn rare(&self, rng: &mut Rng) -> &[u8] {
        let n = self.spans.len();
        let skip = (n / 20).min(300);
        self.word(skip + rng.index(n - skip))
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }
}

/// All languages' words.
pub(super) struct Vocab {
    lists: Vec<WordList>,
}

impl Vocab {
    pub(super) fn new() -> Vocab {
        let lists = Lang::ALL.iter().map(|&l| build(l)).collect();
        Vocab { lists }
    }

    #[inline]
    pub(super) fn lang(&self, lang: Lang) -> &WordList {
        &self.lists[lang as usize]
    }

    /// Total number of words.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lists.iter().map(WordList::len).sum()
    }
}

fn build(lang: Lang) -> WordList {
    let n = lang.vocab_size();
    let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(n * 2);
    let mut arena = Vec::with_capacity(n * 12);
    let mut spans = Vec::with_capacity(n);
    let mut add = |w: &[u8], arena: &mut Vec<u8>, spans: &mut Vec<(u32, u32)>| {
        if w.is_empty() || !seen.insert(w.to_vec()) {
            return;
        }
        debug_assert!(is_safe(w) && std::str::from_utf8(w).is_ok());
        let a = arena.len() as u32;
        arena.extend_from_slice(w);
        spans.push((a, arena.len() as u32));
    };
    for w in seed_words(lang).split_whitespace() {
        add(w.as_bytes(), &mut arena, &mut spans);
    }
    let mut rng = Rng::keyed(0x0BAD_5EED_CAFE, lang as u64);
    let mut w = Vec::with_capacity(64);
    while spans.len() < n {
        w.clear();
        pseudo_word(lang, &mut rng, &mut w);
        add(&w, &mut arena, &mut spans);
    }
    let zipf = Zipf::new(spans.len(), 12);
    WordList { arena, spans, zipf }
}

fn pick_str<'a>(rng: &mut Rng, list: &'a str) -> &'a str {
    // `list` is whitespace-separated; pick by index without allocating.
    let count = list.split_whitespace().count();
    list.split_whitespace().nth(rng.index(count)).unwrap_or("")
}

/// One pseudo-word of a language, from its onsets, vowels and endings.
fn pseudo_word(lang: Lang, rng: &mut Rng, w: &mut Vec<u8>) {
    let (onsets, vowels, codas, endings) = match lang {
        Lang::En => (
            "b c d f g h j k l m n p r s t v w br cr dr fl gr pl pr st str th sh ch tr sp",
            "a e i o u a e i o ea ou ai io",
            "n r s t l m nd nt st rk ck ng x",
            "tion tions ics ing ness ology ism al ive er ers ed ly ity ment ure ance ent ous able",
        ),
        Lang::De => (
            "b d f g h k l m n p r s t w z sch st sp pf kr gr br tr fr",
            "a e i o u ä ö ü au ei ie eu",
            "n r s t l m ch ck nd ng tz ß",
            "ung ungen keit heit schaft lich isch en er ern chen lehre kunde werk",
        ),
        Lang::Fr => (
            "b c d f g j l m n p r s t v ch tr pr gr br pl cl",
            "a e i o u é è ê à ou ai eau oi au",
            "n r s l t m rt nt",
            "tion tions ique iques ment eur euse ité ée ère aux age isme oire",
        ),
        Lang::Ru => (
            "б в г д ж з к л м н п р с т ф х ц ч ш щ ст пр кр тр гр бр",
            "а е и о у ы я ю ё э",
            "н р с т л м к в й",
            "ия ость ный ная ное ские ского ение ание ов ев ать ить ка ник ство",
        ),
        Lang::El => (
            "β γ δ ζ θ κ λ μ ν ξ π ρ σ τ φ χ ψ στ πρ τρ",
            "α ε η ι ο υ ω ά έ ή ί ό ύ ώ",
            "ν ρ σ λ",
            "ος ης ας ία ικός ική ισμός ότητα ση εια ων",
        ),
        Lang::Ar => (
            "ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه",
            "ا و ي",
            "ب ت د ر س ع ف ق ك ل م ن",
            "ة ات ية ون ين ي",
        ),
        Lang::Zh => {
            let k = 1 + rng.weighted(&[15, 60, 20, 5]);
            for _ in 0..k {
                w.extend_from_slice(pick_str(rng, ZH_CHARS).as_bytes());
            }
            return;
        }
    };
    if lang == Lang::Ar && rng.chance(4000) {
        w.extend_from_slice("ال".as_bytes());
    }
    let syllables = 1 + rng.weighted(&[25, 45, 22, 8]);
    for s in 0..syllables {
        if s > 0 || !rng.chance(1500) {
            w.extend_from_slice(pick_str(rng, onsets).as_bytes());
        }
        w.extend_from_slice(pick_str(rng, vowels).as_bytes());
        if rng.chance(3000) {
            w.extend_from_slice(pick_str(rng, codas).as_bytes());
        }
    }
    if rng.chance(4500) {
        w.extend_from_slice(pick_str(rng, endings).as_bytes());
    }
}

/// Upper-cases the first letter of the text at `buf[start..]` in place when it is a lower-case
/// ASCII, Latin-1, Greek or Cyrillic letter.
pub(super) fn capitalize_at(buf: &mut [u8], start: usize) {
    let Some(&b0) = buf.get(start) else { return };
    if b0.is_ascii_lowercase() {
        buf[start] = b0 - 32;
        return;
    }
    let Some(&b1) = buf.get(start + 1) else {
        return;
    };
    match (b0, b1) {
        // à..þ except ÷
        (0xC3, 0xA0..=0xBE) if b1 != 0xB7 => buf[start + 1] = b1 - 0x20,
        // α..ο
        (0xCE, 0xB1..=0xBF) => buf[start + 1] = b1 - 0x20,
        // π..ω (skipping final sigma)
        (0xCF, 0x80..=0x89) if b1 != 0x82 => {
            buf[start] = 0xCE;
            buf[start + 1] = b1 + 0x20;
        }
        // а..п
        (0xD0, 0xB0..=0xBF) => buf[start + 1] = b1 - 0x20,
        // р..я
        (0xD1, 0x80..=0x8F) => {
            buf[start] = 0xD0;
            buf[start + 1] = b1 + 0x20;
        }
        // ё
        (0xD1, 0x91) => {
            buf[start] = 0xD0;
            buf[start + 1] = 0x81;
        }
        _ => {}
    }
}

/// Common Chinese characters, the material of the Chinese words and names.
pub(super) const ZH_CHARS: &str = "的 一 是 不 了 人 我 在 有 他 这 中 大 来 上 国 个 到 说 们 为 子 和 你 地 出 \
    道 也 时 年 得 就 那 要 下 以 生 会 自 着 去 之 过 家 学 对 可 她 里 后 小 么 心 多 天 而 能 好 都 然 没 日 \
    于 起 还 发 成 事 只 作 当 想 看 文 无 开 手 十 用 主 行 方 又 如 前 所 本 见 经 头 面 公 同 三 已 老 从 动 \
    两 长 知 民 样 现 分 将 外 但 身 些 与 高 意 进 把 法 此 实 回 二 理 美 点 月 明 其 种 声 全 工 己 话 儿 者 \
    向 情 部 正 名 定 女 问 力 机 给 等 几 很 业 最 间 新 什 打 便 位 因 重 被 走 电 四 第 门 相 次 东 政 海 口 \
    使 教 西 再 平 真 听 世 气 信 北 少 关 并 内 加 化 由 却 代 军 产 入 先 山 五 太 水 万 市 眼 体 别 处 总 才 \
    场 师 书 比 住 员 九 笑 性 通 目 华 报 立 马 命 张 活 难 神 数 件 安 表 原 车 白 应 路 期 叫 死 常 提 感 金 \
    何 更 反 合 放 做 系 计 或 司 利 受 光 王 果 亲 界 及 今 京 务 制 解 各 任 至 清 物 台 象 记 边 共 风 战 干 \
    接 它 许 八 特 觉 望 直 服 毛 林 题 建 南 度 统 色 字 请 交 爱 让 认 算 论 百 吃 义 科 怎 元 社 术 结 六 功 \
    指 思 非 流 每 青 管 夫 连 远 资 队 跟 带 花 快 条 院 变 联 言 权 往 展 该 领 传 近 留 红 治 决 周 保 达 办 \
    运 武 半 候 七 必 城 父 强 步 完 革 深 区 即 求 品 士 转 量 空 甚 众 技 轻 程 告 江 语 英 基 派 满 式 李 息 \
    写 呢 识 极 令 黄 德 收 脸 钱 党 倒 未 持 取 设 始 版 双 历 越 史 商 千 片 容 研 像 找 友 孩 站 广 改 议 形 \
    委 早 房 音 火 际 则 首 单 据 导 影 失 拿 网 香 似 斯 专 石 若 兵 弟 谁 校 读 志 飞 观 争 究 包 组 造 落 视 \
    济 喜 离 虽 坐 集 编 宝 谈 府 拉 黑 且 随 格 尽 剑 讲 布 杀 微 怕 母 调 局 根 曾 准 团 段 终 乐 切 级 克 精 \
    哪 官 示 冷 域 吗";

fn seed_words(lang: Lang) -> &'static str {
    match lang {
        Lang::En => EN_WORDS,
        Lang::De => DE_WORDS,
        Lang::Fr => FR_WORDS,
        Lang::Ru => RU_WORDS,
        Lang::Zh => ZH_WORDS,
        Lang::El => EL_WORDS,
        Lang::Ar => AR_WORDS,
    }
}

const EN_WORDS: &str = "the of and in to a for on with an by from introduction theory analysis \
    handbook systems methods applications principles design guide advanced modern practical data \
    management development learning engineering science history world new mathematics physics \
    chemistry biology computer programming language edition volume part fundamentals essentials \
    control structure structures network networks models model processing is at as its or your \
    how what using through between under after art life war american english british european \
    international journal studies research review proceedings conference symposium workshop \
    elements calculus algebra geometry topology equations differential linear nonlinear quantum \
    classical statistical mechanics dynamics thermodynamics electrodynamics field fields \
    particle particles nuclear atomic molecular organic inorganic physical analytical \
    biochemistry genetics evolution ecology medicine clinical surgery anatomy psychology \
    sociology economics finance business marketing accounting law political philosophy religion \
    culture society education teaching python java javascript rust linux windows software \
    hardware security database databases web internet machine deep neural intelligence \
    artificial algorithms algorithm complexity information communication signal signals image \
    images digital electronics circuits power energy materials chemical mechanical civil \
    environmental water soil climate earth space astronomy universe stars time first second \
    third complete illustrated concise oxford cambridge companion reader collected selected \
    works letters essays stories tales poems novel book books one two three great small little \
    old young black white red green blue house city country people man men woman women children \
    family love death god king queen lord road river sea island mountain night day light dark \
    year years century early late ancient medieval renaissance revolution empire state states \
    government policy theory practice approach approaches perspective perspectives problems \
    solutions exercises examples case cases study beginners experts complete reference manual \
    cookbook recipes tutorial course lectures notes textbook primer overview survey \
    foundations frontiers topics issues trends challenges strategies tools techniques \
    technology technologies industrial production manufacturing quality reliability \
    optimization numerical computational simulation modeling estimation probability \
    statistics random stochastic processes functions function integral integrals series \
    transforms fourier wavelets matrix matrices groups rings number numbers logic sets proof \
    proofs geometric analytic complex real variable variables functional operator operators";

const DE_WORDS: &str = "der die und das des in zur für von mit den im zum dem ein eine einer \
    einführung grundlagen theorie handbuch geschichte mathematik physik über lehrbuch \
    anwendungen methoden praxis analyse systeme technik wissenschaft sprache deutschen band \
    teil ausgabe neue moderne höhere größe straße prüfung übungen lösungen berechnung schöne \
    fünf kleine große welt leben zeit jahre deutsche deutschland geschichten gedichte roman \
    werke briefe aufsätze vorlesungen beiträge studien untersuchungen probleme aufgaben \
    differentialgleichungen funktionentheorie wahrscheinlichkeitsrechnung statistik chemie \
    biologie medizin recht wirtschaft philosophie kunst musik literatur kultur gesellschaft \
    politik staat krieg frieden reise natur mensch menschen kinder frau mann haus stadt land \
    berlin wien münchen allgemeine spezielle relativitätstheorie quantenmechanik \
    thermodynamik elektrodynamik festkörperphysik mechanik optik informatik programmierung \
    datenbanken netzwerke künstliche intelligenz maschinelles lernen erste zweite dritte";

const FR_WORDS: &str = "de la le et des les du en à pour une un sur dans par au aux avec \
    introduction théorie analyse histoire méthodes éléments mathématiques physique chimie cours \
    leçons problèmes système systèmes économie société française français littérature études \
    géométrie probabilités mécanique électricité première deuxième été très être où ça \
    nouvelle nouveau grand grande petit petite vie mort amour guerre monde temps homme femme \
    enfants maison ville pays paris france europe philosophie politique droit médecine \
    biologie informatique programmation réseaux données apprentissage intelligence \
    artificielle algèbre topologie calcul intégral équations différentielles fonctions \
    variable complexe quantique statistique thermodynamique relativité optique astronomie \
    traité manuel précis exercices corrigés mémoires lettres œuvres complètes poèmes roman \
    contes nouvelles essais révolution siècle moyen âge ancien régime république";

const RU_WORDS: &str = "и в на для по с к о от из теория введение основы история анализ методы \
    системы математика физика химия курс задачи решения программирование учебник пособие \
    справочник руководство практикум механика квантовая теоретическая общая русский язык \
    литература жизнь мир война время человек наука техника издание том часть первый второй \
    третий новый новая большой малый русская россии советский ссср москва петербург \
    математический физический высшая алгебра геометрия дифференциальные уравнения функции \
    интегралы ряды вероятностей статистика термодинамика электродинамика оптика астрономия \
    биология медицина экономика право философия психология педагогика культура общество \
    государство политика искусство музыка роман повесть рассказы стихи стихотворения \
    сочинения собрание письма дневники воспоминания сказки приключения фантастика детектив \
    любовь смерть дом город земля небо море лес ночь день свет тьма сердце душа мастер \
    маргарита преступление наказание мёртвые души отцы дети идиот братья";

const ZH_WORDS: &str = "的 和 与 之 中国 历史 文学 数学 物理 化学 研究 理论 方法 系统 分析 设计 教程 \
    基础 原理 应用 技术 科学 计算机 程序 语言 经济 社会 文化 哲学 管理 发展 现代 世界 小说 故事 人生 \
    生活 艺术 教育 工程 实践 导论 概论 手册 全集 选集 第一 第二 上 下 卷 高等 大学 基本 问题 学习 \
    入门 实用 经典 新 中华 民国 清代 明代 唐代 宋代 红楼梦 三国 演义 西游记 水浒传 诗词 散文";

const EL_WORDS: &str = "και του της το η ο στην στο για με από των τα οι εισαγωγή θεωρία ιστορία \
    ανάλυση μαθηματικά φυσική ελληνική γλώσσα φιλοσοφία αρχαία ποίηση λογοτεχνία επιστήμη \
    τέχνη πολιτική κοινωνία ζωή θάνατος αγάπη πόλεμος ειρήνη κόσμος άνθρωπος";

const AR_WORDS: &str = "في من على إلى عن مع مقدمة تاريخ نظرية تحليل الرياضيات الفيزياء العربية \
    اللغة الأدب كتاب علم دراسة الإسلام الفقه الحديث القرآن التفسير الشعر الفلسفة السياسة \
    الاقتصاد المجتمع الحياة العالم الحرب السلام الإنسان المعرفة";
