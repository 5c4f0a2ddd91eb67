import { cumulate, type Rand } from './random.js';

/**
 * Vocabulary for Chinese names, places and organisations of a county like Sunan (肃南裕固族自治县).
 * Fixed lists only — nothing here contains a tab, newline or backslash, which lets the COPY encoders
 * skip escaping on the hot path (rows.test.ts checks that).
 */

// Common surnames, roughly by frequency in Hexi (河西) — plus 安, 兰, 贺, 钟, 妥, 鄂, 索 common among the Yugur.
const SURNAMES = [
  '王', '张', '李', '刘', '杨', '陈', '赵', '马', '孙', '郭', '魏', '安', '兰', '贺', '钟', '杜', '周', '吴', '徐', '朱',
  '胡', '何', '高', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '田', '董', '袁', '潘',
  '于', '蒋', '蔡', '余', '叶', '程', '苏', '吕', '丁', '任', '姚', '卢', '姜', '崔', '谭', '陆', '汪', '范', '金', '石',
  '贾', '夏', '付', '方', '白', '邹', '孟', '秦', '常', '顾', '毛', '郝', '雷', '侯', '段', '妥', '鄂', '索', '柴', '闫',
] as const;
const SURNAME_CUMULATIVE = cumulate(SURNAMES.map((_, i) => 1 / (i + 8)));

const MALE_CHARS = '伟强军勇杰涛明超刚平辉鹏华飞斌波宁磊建国庆林峰成海文东亮龙新晓志永兵俊德福忠喜全生贵荣学有振武山春玉金保发祥'.split('');
const FEMALE_CHARS = '芳娟敏静丽艳霞秀英玲燕梅兰萍红琴云莲珍桂凤洁慧雪婷娜倩丹玉花菊香月春晓梦琳佳欣悦'.split('');

// Tibetan-style names are usual in the Tibetan townships (马蹄, 祁丰); they have no surname.
const TIBETAN_FIRST = ['才让', '扎西', '多杰', '尕藏', '索南', '旦增', '拉毛', '卓玛', '更登', '仁青', '桑吉', '完么'] as const;
const TIBETAN_SECOND = ['东珠', '加', '草', '措', '才旦', '当周', '卓玛', '吉', '本', '太', '昂毛', '项秀'] as const;

export type Sex = 'male' | 'female';

export function personName(rng: Rand, sex: Sex, tibetan = false): string {
  if (tibetan) return rng.pick(TIBETAN_FIRST) + rng.pick(TIBETAN_SECOND);
  const chars = sex === 'male' ? MALE_CHARS : FEMALE_CHARS;
  const surname = SURNAMES[rng.weightedIndex(SURNAME_CUMULATIVE)] as string;
  return rng.chance(0.22) ? surname + rng.pick(chars) : surname + rng.pick(chars) + rng.pick(chars);
}

/** A mainland mobile number: 1[3-9] and nine more digits, on prefixes the three carriers really use. */
const MOBILE_PREFIXES = ['139', '138', '137', '136', '135', '150', '151', '152', '157', '158', '159', '182', '183', '187', '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '180', '181', '189', '177', '199', '191', '198', '173'] as const;

export function mobilePhone(rng: Rand): string {
  return rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
}

export const COUNTY = '肃南裕固族自治县';
export const COUNTY_ADDRESS = '甘肃省张掖市肃南裕固族自治县';

/** A place where transformer areas and customers sit: the township seat (集镇) or one of its villages. */
export interface Place {
  name: string;
  /** true for the township seat, where addresses are streets; false for villages (社 = village group). */
  seat: boolean;
}

export interface StationSeed {
  code: string;
  digit: number;
  name: string;
  nameEn: string;
  town: string;
  /** Share of the county's accounts (红湾寺 is the county seat). */
  share: number;
  streets: readonly string[];
  villages: readonly string[];
  tibetan: number;
}

export const STATIONS: readonly StationSeed[] = [
  { code: 'hongwansi', digit: 1, name: '红湾寺供电所', nameEn: 'Hongwansi Supply Station', town: '红湾寺镇', share: 0.26, tibetan: 0.05,
    streets: ['隆畅街', '康隆路', '迎宾路', '裕固路', '文化街', '滨河路', '祁连路', '牧乐路'], villages: ['红湾村', '九排松村', '隆畅村', '东滩村'] },
  { code: 'huangcheng', digit: 2, name: '皇城供电所', nameEn: 'Huangcheng Supply Station', town: '皇城镇', share: 0.16, tibetan: 0.05,
    streets: ['皇城街', '东顶路'], villages: ['北极村', '西城村', '马营村', '大湖滩村', '东顶村', '金子滩村', '宁昌村', '北峰村', '河东村'] },
  { code: 'kangle', digit: 3, name: '康乐供电所', nameEn: 'Kangle Supply Station', town: '康乐镇', share: 0.12, tibetan: 0.08,
    streets: ['康乐街'], villages: ['康丰村', '德合隆村', '榆木庄村', '上游村', '红石窝村', '杨哥村', '赛鼎村', '巴音村'] },
  { code: 'mati', digit: 4, name: '马蹄供电所', nameEn: 'Mati Supply Station', town: '马蹄藏族乡', share: 0.10, tibetan: 0.45,
    streets: ['马蹄街'], villages: ['马蹄村', '大泉沟村', '芭蕉湾村', '大都麻村', '正南沟村', '楼庄子村', '荷草村'] },
  { code: 'dahe', digit: 5, name: '大河供电所', nameEn: 'Dahe Supply Station', town: '大河乡', share: 0.10, tibetan: 0.1,
    streets: ['大河街'], villages: ['大滩村', '西岔河村', '金畅河村', '喇嘛湾村', '水关村', '光华村', '松木滩村'] },
  { code: 'minghua', digit: 6, name: '明花供电所', nameEn: 'Minghua Supply Station', town: '明花乡', share: 0.10, tibetan: 0.02,
    streets: ['明花街'], villages: ['前滩村', '黄土坡村', '明海村', '小海子村', '湖边子村', '上井村', '中沙井村', '南沟村'] },
  { code: 'qifeng', digit: 7, name: '祁丰供电所', nameEn: 'Qifeng Supply Station', town: '祁丰藏族乡', share: 0.08, tibetan: 0.5,
    streets: ['祁丰街'], villages: ['祁文村', '文殊村', '红山村', '观山村', '腰泉村', '陶丰村', '甘坝口村', '青稞地村'] },
  { code: 'baiyin', digit: 8, name: '白银供电所', nameEn: 'Baiyin Supply Station', town: '白银蒙古族乡', share: 0.08, tibetan: 0.05,
    streets: ['白银街'], villages: ['东牛毛村', '西牛毛村', '白银村', '专场村', '黑河村'] },
];

/** The township seat counts several times: it holds more transformer areas than any one village. */
export function placesOf(station: StationSeed): Place[] {
  const seatWeight = station.code === 'hongwansi' ? 6 : 2;
  const seat: Place[] = Array.from({ length: seatWeight }, () => ({ name: station.town, seat: true }));
  return [...seat, ...station.villages.map((v) => ({ name: v, seat: false }))];
}

const CHINESE_ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'] as const;

/** A street or village address for a household or a small business in the given place. */
export function addressIn(rng: Rand, station: StationSeed, place: Place, flat: boolean): string {
  const prefix = COUNTY_ADDRESS + station.town;
  if (!place.seat) return `${prefix}${place.name}${rng.pick(CHINESE_ORDINALS)}社${rng.int(1, 80)}号`;
  const street = rng.pick(station.streets);
  if (flat) return `${prefix}${street}${rng.int(1, 60)}号${rng.int(1, 6)}单元${rng.int(1, 6)}0${rng.int(1, 4)}室`;
  return `${prefix}${street}${rng.int(1, 200)}号`;
}

// ---- organisations ------------------------------------------------------------------------------

const TRADE_WORDS = ['兴隆', '鑫源', '顺发', '福源', '祥和', '宏达', '金鹏', '天成', '裕丰', '永盛', '祁连', '雪峰', '草原', '牧歌', '康达', '盛泰', '华源', '瑞丰', '聚德', '通达'] as const;
const SHOP_KINDS = ['超市', '便利店', '饭店', '牦牛肉火锅店', '宾馆', '农家乐', '牧家乐', '民宿', '加油站', '汽修部', '五金店', '药店', '理发店', '网吧', '商贸有限公司', '烧烤店', '面馆', '建材店', '家电城', '奶茶店'] as const;
const MINE_KINDS = ['铁矿', '钨钼矿', '铜矿', '铅锌矿', '石英矿', '砂石料场'] as const;
const FACTORY_KINDS = ['水泥有限责任公司', '建材有限公司', '乳制品有限公司', '畜产品加工有限公司', '选矿厂', '饲料有限公司', '新型材料有限公司', '商混站'] as const;
// High-energy users (高耗能): the agent-purchase price multiplier of 1.5 applies to them (RULES §3).
const HIGH_ENERGY_KINDS = ['铁合金有限公司', '碳化硅有限公司', '硅铁冶炼有限公司'] as const;
const FIRM_PREFIXES = ['甘肃祁连山', '肃南裕固', '张掖鑫源', '肃南县金畅', '甘肃宏达', '肃南县天成', '甘肃雪域', '张掖市金鹏', '肃南县华源', '甘肃裕丰'] as const;

export function shopName(rng: Rand, place: Place): string {
  return `${place.seat ? '' : place.name}${rng.pick(TRADE_WORDS)}${rng.pick(SHOP_KINDS)}`;
}

export type IndustryKind = 'mine' | 'factory' | 'high_energy';

export function industryName(rng: Rand, kind: IndustryKind): string {
  const prefix = rng.pick(FIRM_PREFIXES);
  if (kind === 'mine') return `${prefix}${rng.pick(MINE_KINDS)}有限公司`;
  if (kind === 'high_energy') return `${prefix}${rng.pick(HIGH_ENERGY_KINDS)}`;
  return `${prefix}${rng.pick(FACTORY_KINDS)}`;
}

export type PublicKind = 'school' | 'kindergarten' | 'hospital' | 'clinic' | 'office' | 'nursing_home' | 'water_works';

export function publicName(kind: PublicKind, station: StationSeed, place: Place): string {
  const where = place.seat ? station.town : place.name;
  switch (kind) {
    case 'school':
      return place.seat ? `${COUNTY}${station.town}中心学校` : `${where}小学`;
    case 'kindergarten':
      return `${where}幼儿园`;
    case 'hospital':
      return station.code === 'hongwansi' ? `${COUNTY}人民医院` : `${station.town}中心卫生院`;
    case 'clinic':
      return place.seat ? `${station.town}卫生院` : `${where}卫生室`;
    case 'office':
      return place.seat ? `${station.town}人民政府` : `${where}村民委员会`;
    case 'nursing_home':
      return `${station.town}敬老院`;
    case 'water_works':
      return `${where}人饮供水站`;
  }
}

export function cooperativeName(rng: Rand, place: Place): string {
  return `${COUNTY}${place.name}${rng.pick(['种植', '农机', '养殖', '牧草'])}专业合作社`;
}

export const HEATING_FIRMS = [
  '肃南县城市热力有限公司', '肃南裕固族自治县华源热力有限责任公司', '皇城镇集中供热站', '肃南县康乐热力有限公司',
  '马蹄寺景区供热有限公司', '大河乡清洁供暖服务站', '明花乡集中供热站', '祁丰藏族乡供热站', '白银乡电采暖供热站',
  '肃南县祁连热力有限公司', '肃南县雪峰清洁能源供热有限公司', '张掖市鑫源热力肃南分公司',
] as const;

export function wellName(place: Place, n: number): string {
  return `${place.name}${n}号机井`;
}
