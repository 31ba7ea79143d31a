"""Demo residents and their stage records for `seed_demo --residents N`.

Made for volume (1.6 million residents in minutes), so rows bypass the ORM: PostgreSQL gets
them through COPY, other databases through executemany, all in one transaction. Nothing here
runs Model.save, so what save would add (name_key, created_at, updated_at) is written here, and
no django-simple-history rows are made. Every row must still satisfy the models' constraints.
Each resident row is written with its stage dates (participants.stages' rule: the earliest
record of each stage, and here there is at most one), so it is written once. Its Pelatihan
comes from its first hadir/lulus enrolment: none for a kota loaded without trainings; a
kota whose trainings are made in the same load (demo.kota) keeps its rows in memory
(`HeldResidents`) until demo.programs has made the enrolments. The kota's counters are
rebuilt from the rows after the load, by the code that keeps them (demo.bulk.counted_rebuild).

Choices worth knowing:

- Deterministic: one random.Random(seed) drives everything and `today` is a parameter.
- Idempotent per kota: if the kota already has any resident, nothing is added.
- Resident ids are reserved up front (demo.bulk), so stage records can point at residents
  without reading anything back.
- NIK serials count from 0001 per 12-digit prefix (region of issue + birth date + gender), as a
  civil registry would. If the residents table already holds other NIKs with the prefixes used,
  those NIKs are read first and skipped; on an empty table nothing is read.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext as _

from demo import bulk
from participants.identity import name_normalize, nik_build
from participants.models import (
    RECORDED_STAGES,
    STAGE_DATE_FIELDS,
    Education,
    Resident,
    Sector,
    Stage,
    StageRecord,
)
from wilayah.models import City, District, Village

KK_FROM = date(2010, 1, 1).toordinal()  # family cards in the demo were issued from 2010

# --- Vocabulary ----------------------------------------------------------------
# Plain ASCII letters, spaces, dots, dashes and apostrophes only: rows go through
# PostgreSQL's COPY text format unescaped, so no tab, newline or backslash may appear.

MALE_NAMES = [
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar",
    "Farhan", "Hendra", "Irfan", "Joko", "Rizky", "Rudi", "Slamet", "Taufik", "Wahyu",
    "Yusuf", "Bayu", "Dani", "Dodi", "Doni", "Gilang", "Hadi", "Hasan", "Ilham", "Iwan",
    "Jajang", "Lukman", "Mulyadi", "Nanang", "Rahmat", "Reza", "Ridwan", "Samsul",
    "Sigit", "Sugeng", "Sutrisno", "Teguh", "Tono", "Udin", "Wawan", "Yoga", "Zainal",
    "Aditya", "Ari", "Bagus", "Cahyo", "Darmawan", "Edi", "Fikri", "Galih", "Haris",
    "Imam", "Indra", "Jefri", "Krisna", "Lutfi", "Maulana", "Oki", "Pandu", "Rian",
    "Sandi", "Syahrul", "Umar", "Wisnu", "Yanto", "Zulkifli", "Alfian", "Bima", "Dika",
    "Erwin", "Firman", "Heru", "Ikhsan", "Jamal", "Kevin", "Asep", "Ujang", "Dadang",
    "Ucok", "Benny", "Rafi", "Hamzah", "Habib", "Anton", "Robert", "Yohanes", "Daniel",
    "Stefanus", "Ketut",
]  # fmt: skip
FEMALE_NAMES = [
    "Siti", "Dewi", "Fitri", "Indah", "Kartika", "Lestari", "Putri", "Yuni", "Ani",
    "Ayu", "Desi", "Dian", "Endang", "Erna", "Fatimah", "Halimah", "Ika", "Intan",
    "Lina", "Maya", "Mega", "Nia", "Novi", "Nurul", "Rina", "Rini", "Rita", "Sari",
    "Sri", "Tuti", "Wati", "Wulan", "Yanti", "Yulia", "Aisyah", "Anisa", "Citra",
    "Dina", "Eni", "Evi", "Febri", "Hana", "Ira", "Juwita", "Kiki", "Lia", "Mira",
    "Nadia", "Nina", "Oktaviani", "Ratna", "Ratih", "Sinta", "Suci", "Tari", "Umi",
    "Vina", "Widya", "Yeni", "Zahra", "Aulia", "Bunga", "Cantika", "Elisabeth",
    "Farida", "Gita", "Hesti", "Imas", "Jamilah", "Kurnia", "Linda", "Marlina",
    "Nining", "Puspita", "Rahayu", "Susi", "Titin", "Utami", "Wahyuni", "Neneng",
    "Euis", "Iis", "Cucu", "Mariam", "Maria", "Theresia", "Agustina", "Rosmawati",
    "Sulastri", "Suryani", "Murni", "Yati", "Khadijah",
]  # fmt: skip
# Family names used by men and women alike (Batak, Minang, Manado, Chinese-Indonesian, Arab).
SHARED_SURNAMES = [
    "Siregar", "Simanjuntak", "Nasution", "Harahap", "Lubis", "Hutapea", "Sinaga",
    "Situmorang", "Pardede", "Tambunan", "Manurung", "Panjaitan", "Sitompul", "Ginting",
    "Tarigan", "Sembiring", "Chaniago", "Piliang", "Tanjung", "Wenas", "Rumondor",
    "Pangemanan", "Sondakh", "Wijaya", "Halim", "Tanuwijaya", "Kusuma", "Salim",
    "Hartono", "Sutanto", "Gunadi", "Alatas", "Assegaf", "Baswedan", "Shahab",
    "Matondang", "Daulay", "Pohan",
]  # fmt: skip
MALE_SURNAMES = [
    "Saputra", "Pratama", "Setiawan", "Kurniawan", "Nugroho", "Hidayat", "Firmansyah",
    "Ramadhan", "Hakim", "Syahputra", "Wibowo", "Gunawan", "Prasetyo", "Hermawan",
    "Santoso", "Purnomo", "Permana", "Susanto", "Irawan", "Hidayatullah", "Sulistyo",
    "Hasibuan", "Rahman", "Effendi", "Kusnadi", "Suharto", "Wijayakusuma", "Mahendra",
]  # fmt: skip
FEMALE_SURNAMES = [
    "Rahmawati", "Susanti", "Lestari", "Wulandari", "Handayani", "Puspitasari",
    "Anggraini", "Safitri", "Maharani", "Permatasari", "Kusumawati", "Rahayu",
    "Oktaviani", "Fitriani", "Novitasari", "Pertiwi", "Amalia", "Ramadhani", "Sari",
    "Utami", "Yuliani", "Nuraini", "Hasanah", "Purwanti", "Setyowati", "Kartini",
    "Marlina",
]  # fmt: skip
STREETS = [
    "Daan Mogot", "Kembangan Raya", "Panjang", "Meruya Ilir", "Kebon Jeruk Raya",
    "Tanjung Duren Raya", "Palmerah Barat", "Kyai Tapa", "Hayam Wuruk", "Mangga Besar",
    "Pesanggrahan", "Kapuk Raya", "Peta Selatan", "Puri Kembangan", "Joglo Raya",
    "Srengseng Raya", "Tawakal", "Latumenten", "Pangeran Tubagus Angke", "Jelambar Baru",
    "Kemanggisan Raya", "Anggrek Rosliana", "Cendrawasih", "Kamal Raya", "Semanan Raya",
    "Duri Kosambi Raya", "Kedoya Raya", "Sukabumi Ilir", "Kemandoran", "Taman Sari Raya",
    "Krukut", "Tambora", "Jembatan Besi", "Kalianyar", "Pekojan", "Bandengan Selatan",
    "Tegal Alur", "Kalideres Raya", "Pegadungan", "Rawa Buaya", "Cengkareng Raya",
    "Kebon Kopi", "Mawar", "Melati", "Kenanga", "Anggrek", "Dahlia", "Kamboja",
    "Flamboyan", "Swadaya", "Karya Bakti", "Masjid Al-Ikhlas", "H. Saaba", "H. Naim",
    "Haji Ung", "Pos Pengumben", "Lapangan Bola", "Kavling DKI", "Bhakti", "Manunggal",
]  # fmt: skip
BIRTH_PLACES = [
    "Bogor", "Bekasi", "Tangerang", "Depok", "Bandung", "Garut", "Cirebon", "Tegal",
    "Brebes", "Semarang", "Solo", "Yogyakarta", "Surabaya", "Malang", "Medan", "Padang",
    "Palembang", "Lampung", "Serang", "Pekalongan", "Kuningan", "Makassar", "Manado",
    "Pontianak", "Sukabumi", "Karawang", "Purwokerto", "Wonogiri",
]  # fmt: skip
# Kecamatan codes of first issue outside DKI, with the birth place that usually goes with them.
OUTSIDE_DKI_REGIONS = [
    ("32.01.01", "Bogor"), ("32.75.01", "Bekasi"), ("36.71.01", "Tangerang"),
    ("32.76.01", "Depok"), ("32.73.01", "Bandung"), ("32.05.01", "Garut"),
    ("32.09.01", "Cirebon"), ("33.29.01", "Brebes"), ("33.74.01", "Semarang"),
    ("34.71.01", "Yogyakarta"), ("35.78.01", "Surabaya"), ("12.71.01", "Medan"),
    ("13.71.01", "Padang"), ("16.71.01", "Palembang"), ("18.71.01", "Bandar Lampung"),
    ("36.04.01", "Serang"), ("73.71.01", "Makassar"), ("32.15.01", "Karawang"),
]  # fmt: skip
MOBILE_PREFIXES = [
    "11", "12", "13", "21", "22", "23", "51", "52", "53", "14", "15", "16", "55", "56",
    "57", "58", "17", "18", "19", "59", "77", "78", "31", "32", "33", "38", "95", "96",
    "97", "98", "99", "81", "82", "83", "85", "87", "88",
]  # fmt: skip
EMAIL_DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com"]
EDUCATION_WEIGHTS = [
    (Education.NONE, 2), (Education.SD, 11), (Education.SMP, 17), (Education.SMA, 46),
    (Education.DIPLOMA, 8), (Education.S1, 14), (Education.S2, 2),
]  # fmt: skip
SECTOR_WEIGHTS = [
    (Sector.MAKANAN, 40), (Sector.MINUMAN, 14), (Sector.JASA, 15),
    (Sector.KERAJINAN, 9), (Sector.FASHION, 13), (Sector.LAINNYA, 9),
]  # fmt: skip
BUSINESS_KINDS = {
    Sector.MAKANAN: [
        "Keripik Singkong", "Kue Basah", "Catering", "Warung Nasi", "Sambal", "Frozen Food",
        "Roti", "Kerupuk", "Dimsum", "Nasi Uduk", "Kue Kering", "Bakso", "Kue Cucur",
        "Kerak Telor", "Pempek", "Seblak", "Ayam Geprek", "Rendang",
    ],
    Sector.MINUMAN: [
        "Es Kopi", "Jamu", "Es Teh", "Bir Pletok", "Jus Buah", "Minuman Herbal", "Kopi Bubuk",
        "Es Selendang Mayang", "Sari Kedelai", "Boba",
    ],
    Sector.JASA: [
        "Laundry", "Jahit", "Servis HP", "Salon", "Bengkel Motor", "Pangkas Rambut",
        "Rias Pengantin", "Les Privat", "Cuci Sepatu", "Servis AC",
    ],
    Sector.KERAJINAN: [
        "Kerajinan Rotan", "Anyaman Bambu", "Souvenir", "Ondel-ondel Mini", "Daur Ulang",
        "Tas Rajut", "Bunga Kering", "Lilin Aromaterapi", "Sulam Pita",
    ],
    Sector.FASHION: [
        "Batik Betawi", "Konveksi", "Hijab", "Sepatu Kulit", "Kaos Sablon", "Busana Muslim",
        "Tenun", "Mukena", "Jaket Bomber",
    ],
    Sector.LAINNYA: [
        "Toko Kelontong", "Pulsa dan Token", "Tanaman Hias", "Ternak Lele", "Agen Gas",
        "Toko Sembako", "Hidroponik", "Budidaya Maggot",
    ],
}  # fmt: skip
BUSINESS_WORDS = [
    "Berkah", "Barokah", "Jaya", "Mandiri", "Sejahtera", "Makmur", "Sari", "Rasa",
    "Lestari", "Sentosa", "Abadi", "Amanah", "Mulia", "Betawi", "Nusantara", "Kita",
    "Bersama", "Sehati", "Cemerlang", "Maju", "Family", "Sakinah", "Rezeki", "Jakarta",
]  # fmt: skip
VOID_REASONS = [
    "Data ganda: warga sudah terdaftar dengan NIK yang sama",
    "Permintaan warga",
    "Salah input data pendaftaran",
    "Warga pindah domisili ke luar DKI Jakarta",
    "Tidak memenuhi syarat usia",
]
LENDERS = [
    ("Bank DKI", 50), ("Bank DKI Syariah", 10), ("BRI (KUR)", 12), ("Bank Mandiri (KUR)", 6),
    ("BNI (KUR)", 6), ("PNM Mekaar", 8), ("Koperasi Jakpreneur", 5), ("Baznas (Bazis) DKI", 3),
]  # fmt: skip
CHANNELS = [
    ("Jakpreneur Goes to Mall", 20), ("Bazar Kecamatan {district}", 30), ("e-Order", 18),
    ("Jakpreneur Festival", 8), ("Bazar Ramadan Kota {city}", 8),
    ("Jakpreneur Goes Online (marketplace)", 8), ("Bazar Kelurahan {village}", 8),
]  # fmt: skip
LICENCES = [("nib", 55), ("pirt", 25), ("halal", 15), ("haki", 5)]
NIB_PREFIXES = ["9120", "8120", "1220", "0220", "2120", "1260"]
BOOKKEEPING_NOTES = [
    "Pembukuan sederhana di buku kas",
    "Laporan keuangan bulanan lewat aplikasi",
    "Pelatihan pencatatan keuangan UMKM",
    "Laporan laba rugi sederhana",
]
MENTORING_NOTES = [
    "", "", "", "Pendampingan kelompok di kantor kecamatan", "Kunjungan ke tempat usaha",
    "Konsultasi kemasan dan label", "Konsultasi harga pokok produksi",
]  # fmt: skip

# First and later gaps (days) between stages; a stage that would fall after today is not
# reached yet, so recent registrants sit early in the funnel.
FIRST_GAP = (7, 90)
NEXT_GAP = (14, 120)
# Share of residents reaching each of RECORDED_STAGES before stages that would lie in the
# future are cut off; the cut-off brings them to about 40/25/20/10/5 % of all residents.
STAGE_REACH = [0.42, 0.285, 0.245, 0.135, 0.072]

RESIDENT_FIELDS = [
    "id", "nik", "kk_number", "full_name", "name_key", "gender", "birth_place",
    "birth_date", "phone", "email", "address", "rt", "rw", "village", "education",
    "is_job_seeker", "is_low_income", "has_disability", "has_business", "business_name",
    "business_sector", "business_started_year", "registered_on", "is_void", "void_reason",
    "voided_at", "created_at", "updated_at", "heard_via",
]  # fmt: skip
# How demo residents heard of Jakpreneur (issue 13), by resident id: no random draw, so
# every other demo value stays as it was. Weights: outreach 3, kelurahan 3, family 2, ...
HEARD_VIA_MIX = [
    "outreach",
    "kelurahan",
    "family",
    "outreach",
    "social_media",
    "kelurahan",
    "field_lead",
    "family",
    "outreach",
    "kelurahan",
    "other",
    "social_media",
]
STAGE_FIELDS = [
    "resident", "stage", "reached_on", "mentor", "licence_type", "licence_number",
    "channel", "lender", "amount", "note", "created_at",
]  # fmt: skip
# The stage dates a resident has from their stage records, after RESIDENT_FIELDS in a row.
RECORDED_DATE_FIELDS = [STAGE_DATE_FIELDS[stage] for stage in RECORDED_STAGES]
# What a resident has from their first hadir/lulus enrolment (demo.programs), last in a row.
TRAINED_FIELDS = ["trained_on", "trained_agency", "trained_category"]
WRITTEN_FIELDS = [*RESIDENT_FIELDS, *RECORDED_DATE_FIELDS, *TRAINED_FIELDS]


@dataclass
class DemoResult(bulk.LoadResult):
    residents: int = 0
    stage_records: int = 0
    voided: int = 0
    per_stage: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return self._summary(
            _("Warga demo: %(city)s sudah berisi warga, tidak ada yang ditambah"),
            _(
                "Warga demo: %(residents)s baru, %(records)s catatan tahap "
                "(%(seconds)s detik)"
            ),
            residents=self.residents,
            records=self.stage_records,
        )


def demo_residents(
    *, count: int, seed: int, city_code: str = "31.73", today: date | None = None
) -> DemoResult:
    """Add `count` realistic residents of the kota with stage records, unless it has residents."""
    city, today = bulk.kota_and_today(city_code=city_code, today=today)
    result = DemoResult(city_name=city.name)
    if count <= 0:
        return result

    with transaction.atomic(), connection.cursor() as cursor:
        bulk.lock(cursor, Resident)
        if residents_present(city):
            result.already_seeded = True
            return result.done()
        with bulk.unindexed(cursor, {Resident: count, StageRecord: count}):
            residents_write(
                cursor, city=city, count=count, seed=seed, today=today, result=result
            )
            # Written with their stage dates: only the counters are rebuilt.
            result.counters = bulk.counted_rebuild(cities=[city], restage=[])
    return result.done()


def residents_present(city: City) -> bool:
    return Resident.objects.filter(village__district__city=city).exists()


def residents_write(
    cursor,
    *,
    city: City,
    count: int,
    seed: int,
    today: date,
    result: DemoResult,
    niks: NikBook | None = None,
    hold: HeldResidents | None = None,
    first_id: int | None = None,
) -> None:
    """Write the kota's residents, with their stage dates, and stage records (the caller
    holds the lock, checked that the kota has none, and rebuilds the counters after). Kota
    written in one load share `niks`, so that none is given twice and the stored ones are
    read once. With `hold`, the resident rows are kept there instead, for
    `residents_write_held` once the kota's enrolments are made; a load that holds rows
    reserves the ids of all its kota first (`first_id`: this kota's first)."""
    generator = _Generator(rng=random.Random(seed), city=city, today=today)
    niks = niks or NikBook.read(generator.region_digits)
    generator.taken_niks, generator.counters = niks.taken, niks.serials
    if first_id is None:
        first_id = bulk.reserve_ids(cursor, Resident, count=count)
    untrained = _untrained()
    ordinals = {text: generator.first_day + n for n, text in enumerate(generator.iso)}
    # A batch of residents at a time: their stage records wait in memory.
    for offset in range(0, count, bulk.CHUNK):
        stage_rows: list[tuple] = []
        residents = generator.rows(
            first_id=first_id + offset,
            count=min(bulk.CHUNK, count - offset),
            stage_rows=stage_rows,
        )
        if hold is None:
            rows = (row + untrained for row in residents)
            bulk.write(cursor, Resident, WRITTEN_FIELDS, rows)
        else:
            for row in residents:
                hold.add(row, ordinals)
        bulk.write(cursor, StageRecord, STAGE_FIELDS, stage_rows)
    result.residents = count
    result.stage_records = sum(generator.per_stage.values())
    result.per_stage = {
        str(stage): generator.per_stage[stage] for stage in RECORDED_STAGES
    }
    result.voided = generator.voided


def _untrained() -> tuple:
    """TRAINED_FIELDS of a resident without a hadir/lulus enrolment."""
    return (bulk.null(), bulk.null(), "")


_ID, _VILLAGE, _REGISTERED, _VOID, _MENTORED = (
    [*RESIDENT_FIELDS, *RECORDED_DATE_FIELDS].index(name)
    for name in (
        "id",
        "village",
        "registered_on",
        "is_void",
        STAGE_DATE_FIELDS[Stage.PENDAMPINGAN],
    )
)


@dataclass
class HeldResidents:
    """A kota's resident rows kept back until its trainings are made in the same load, so
    that each row is written once, with its Pelatihan; and what planning the trainings
    reads of them (what demo.programs otherwise reads from the table)."""

    today: int  # day ordinal
    rows: list = field(
        default_factory=list
    )  # bulk.packed, all fields but TRAINED_FIELDS
    planned: bytearray = field(default_factory=bytearray)  # 1: in the arrays below
    # The residents a training may take (not void, registered by today), in id order:
    ids: array = field(default_factory=lambda: array("q"))
    registered: array = field(default_factory=lambda: array("l"))  # day ordinals
    villages: array = field(default_factory=lambda: array("q"))
    mentored: array = field(default_factory=lambda: array("l"))  # Pendampingan, or 0

    def add(self, row: tuple, ordinals: dict[str, int]) -> None:
        self.rows.append(bulk.packed(row))
        registered = ordinals[row[_REGISTERED]]
        planned = not row[_VOID] and registered <= self.today
        self.planned.append(planned)
        if planned:
            self.ids.append(row[_ID])
            self.registered.append(registered)
            self.villages.append(row[_VILLAGE])
            self.mentored.append(ordinals.get(row[_MENTORED], 0))


def residents_write_held(
    cursor, *, held: HeldResidents, trained: Callable[[int], tuple | None]
) -> None:
    """Write held rows, each with TRAINED_FIELDS: `trained(n)` gives them for the n-th
    resident of the arrays (None: not trained)."""
    untrained = _untrained()

    def rows() -> Iterator:
        n = 0
        for row, planned in zip(held.rows, held.planned, strict=True):
            tail = None
            if planned:
                tail = trained(n)
                n += 1
            yield bulk.joined(row, tail or untrained)

    bulk.write(cursor, Resident, WRITTEN_FIELDS, rows())
    held.rows.clear()


@dataclass
class NikBook:
    """NIKs stored before a load (skipped), and the serials given per 12-digit prefix."""

    taken: set[str] = field(default_factory=set)
    serials: dict[int, int] = field(default_factory=dict)

    @classmethod
    def read(cls, prefixes: list[str]) -> NikBook:
        return cls(taken=_existing_niks(prefixes))


def _existing_niks(prefixes: list[str]) -> set[str]:
    """NIKs already stored whose region of issue the demo may use (none on an empty table)."""
    if not Resident.objects.exists():
        return set()
    pattern = "^(" + "|".join(prefixes) + ")"
    return set(
        Resident.objects.filter(nik__regex=pattern)
        .values_list("nik", flat=True)
        .iterator(chunk_size=10_000)
    )


def _with_keys(names: list[str]) -> list[tuple[str, str]]:
    """Each name with its search key; a full name's key is its words' keys joined by spaces."""
    return [(name, name_normalize(name)) for name in names]


class _Generator:
    """Makes resident and stage rows; all randomness comes from one seeded Random.

    The hot loop draws with `seq[int(random() * len(seq))]` instead of rng.choice/randint:
    same determinism, a fraction of the cost at a million rows.
    """

    def __init__(self, *, rng: random.Random, city: City, today: date):
        self.rng = rng
        self.null = bulk.null()
        self.unreached = (self.null,) * len(RECORDED_STAGES)
        self.taken_niks: set[str] = set()
        self.counters: dict[int, int] = {}
        self.per_stage = dict.fromkeys(RECORDED_STAGES, 0)
        self.voided = 0
        self.city_short = city.short_name
        self.city_digits = city.code.replace(".", "")

        districts = list(District.objects.filter(city=city).order_by("code"))
        villages = list(
            Village.objects.filter(district__city=city)
            .select_related("district")
            .order_by("code")
        )
        if not villages:
            raise ValueError(f"kota {city.code} has no kelurahan: load places first")
        district_index = {district.pk: i for i, district in enumerate(districts)}
        # Some kelurahan are busier than others; every one gets residents.
        self.villages = bulk.bag(
            (
                (v.pk, district_index[v.district_id], v.district.name, v.name),
                rng.randint(6, 14),
            )
            for v in villages
        )
        # Regions of issue: the kota's own kecamatan first, then the rest of DKI, then outside.
        self.regions: list[tuple[str, str]] = [(d.code, "") for d in districts]
        self.own_count = len(districts)
        self.regions += [
            (code, "")
            for code in District.objects.filter(city__province_id=city.province_id)
            .exclude(city=city)
            .order_by("code")
            .values_list("code", flat=True)
        ]
        self.other_dki = range(self.own_count, len(self.regions))
        self.regions += OUTSIDE_DKI_REGIONS
        self.outside = range(self.other_dki.stop, len(self.regions))
        self.region_digits = [code.replace(".", "") for code, _place in self.regions]
        self.region_keys = [int(digits) for digits in self.region_digits]

        # Dates are day ordinals in the loop, from the oldest possible birth date to today.
        self.today_ord = today.toordinal()
        self.days = bulk.Days(
            first=self.today_ord - 24_105, last=self.today_ord, today=today
        )
        self.first_day, self.iso = self.days.first, self.days.iso
        # More registrations in recent semesters, and few on weekends.
        self.registration_days = bulk.bag(
            (
                ordinal,
                (10 + 3 * ((d.year - bulk.DEMO_START.year) * 2 + (d.month > 6)))
                * (1 if d.weekday() >= 5 else 4),
            )
            for ordinal in range(bulk.DEMO_START.toordinal(), self.today_ord + 1)
            for d in [date.fromordinal(ordinal)]
        )

        self.male_first = _with_keys(MALE_NAMES)
        self.female_first = _with_keys(FEMALE_NAMES)
        self.male_last = _with_keys(MALE_SURNAMES + SHARED_SURNAMES)
        self.female_last = _with_keys(FEMALE_SURNAMES + SHARED_SURNAMES)
        self.muhammad = ("Muhammad", name_normalize("Muhammad"))
        self.siti = ("Siti", name_normalize("Siti"))
        self.education = bulk.bag(
            (level.value, weight) for level, weight in EDUCATION_WEIGHTS
        )
        self.sectors = bulk.bag(
            (sector.value, weight) for sector, weight in SECTOR_WEIGHTS
        )
        self.lenders = bulk.bag(LENDERS)
        self.channels = bulk.bag(CHANNELS)
        self.licences = bulk.bag(LICENCES)
        self.rt_rw = [f"{n:03d}" for n in range(1, 16)]

    def _timestamp(self, ordinal: int) -> str:
        return self.days.timestamp(ordinal, self.rng.random())

    def _nik(self, region: int, birth: int, female: bool) -> str:
        """The next free NIK for this region of issue, birth date and gender (keyed by the
        region's code, not its place in this kota's list: kota of one load share them)."""
        key = (self.region_keys[region] * 1_000_000 + birth) * 2 + female
        serial = self.counters.get(key, 0)
        birth_date = date.fromordinal(birth)
        while True:
            serial += 1
            nik = nik_build(
                district_code=self.regions[region][0],
                birth_date=birth_date,
                gender="P" if female else "L",
                serial=serial,
            )
            if nik not in self.taken_niks:
                break
        self.counters[key] = serial
        return nik

    def rows(
        self, *, first_id: int, count: int, stage_rows: list[tuple]
    ) -> Iterator[tuple]:
        """Resident rows, RESIDENT_FIELDS then RECORDED_DATE_FIELDS; their stage rows go
        into stage_rows."""
        random_ = self.rng.random
        iso, first_day = self.iso, self.first_day
        today_ord, null = self.today_ord, self.null
        regions, rt_rw = self.regions, self.rt_rw
        days, villages = self.registration_days, self.villages

        def pick(seq):
            return seq[int(random_() * len(seq))]

        for resident_id in range(first_id, first_id + count):
            registered = pick(days)
            # 18 or older when registering, 65 or younger today; most are in their thirties.
            youngest = registered - 6_575
            birth = int(self.rng.triangular(first_day, youngest, youngest - 14 * 365))
            female = random_() < 0.55
            village_id, district, district_name, village_name = pick(villages)

            moved = random_()
            if moved < 0.85:
                region = district
            elif moved < 0.90:
                region = int(random_() * self.own_count)
            elif moved < 0.95:
                region = pick(self.other_dki)
            else:
                region = pick(self.outside)
            nik = self._nik(region, birth, female)
            birth_place = regions[region][1] or (
                "Jakarta" if random_() < 0.7 else pick(BIRTH_PLACES)
            )

            full_name, name_key, given, surname = self._name(female)
            if (
                random_() < 0.75
            ):  # family card issued at the domicile kecamatan since 2010
                issued = KK_FROM + int(random_() * (registered - KK_FROM + 1))
                serial = 1 + int(random_() * 9999)
                day = iso[issued - first_day]  # YYYY-MM-DD; the KK shows DDMMYY
                kk = f"{self.region_digits[district]}{day[8:]}{day[5:7]}{day[2:4]}{serial:04d}"
            else:
                kk = ""
            phone = (
                f"+628{pick(MOBILE_PREFIXES)}{10_000_000 + int(random_() * 90_000_000)}"
            )
            if random_() < 0.2:
                user = f"{given}.{surname}" if surname else given
                user = user.lower().replace(" ", "").replace("'", "")
                email = f"{user}{1 + int(random_() * 99)}@{pick(EMAIL_DOMAINS)}"
            else:
                email = ""
            address = f"Jl. {pick(STREETS)} No. {1 + int(random_() * 250)}"

            has_business = random_() < 0.35
            if has_business:
                sector = pick(self.sectors)
                kind = pick(BUSINESS_KINDS[sector])
                if random_() < 0.4:
                    business_name = f"{kind} {'Bu' if female else 'Pak'} {given}"
                else:
                    business_name = f"{kind} {pick(BUSINESS_WORDS)}"
                earliest = max(1995, int(iso[birth - first_day][:4]) + 17)
                latest = int(iso[registered - first_day][:4])
                started_year = earliest + int(random_() * (latest - earliest + 1))
            else:
                sector = business_name = ""
                started_year = null

            created_at = self._timestamp(registered)
            reached = self.unreached
            if random_() < 0.005:
                is_void = True
                void_reason = pick(VOID_REASONS)
                voided_day = min(registered + 1 + int(random_() * 60), today_ord)
                voided_at = updated_at = max(self._timestamp(voided_day), created_at)
                self.voided += 1
            else:
                is_void = False
                void_reason = ""
                voided_at = null
                updated_at = created_at
                reached = self._stages(
                    stage_rows, resident_id, registered, district_name, village_name
                )

            yield (
                resident_id,
                nik,
                kk,
                full_name,
                name_key,
                "P" if female else "L",
                birth_place,
                iso[birth - first_day],
                phone,
                email,
                address,
                pick(rt_rw),
                rt_rw[int(random_() * 12)],
                village_id,
                pick(self.education),
                not has_business and random_() < 0.45,
                random_() < 0.22,
                random_() < 0.02,
                has_business,
                business_name,
                sector,
                started_year,
                iso[registered - first_day],
                is_void,
                void_reason,
                voided_at,
                created_at,
                updated_at,
                HEARD_VIA_MIX[resident_id * 7 % len(HEARD_VIA_MIX)],
                *reached,
            )

    def _name(self, female: bool) -> tuple[str, str, str, str]:
        """(full name, its name_key, given name, surname or "")."""
        random_ = self.rng.random
        firsts = self.female_first if female else self.male_first
        given = firsts[int(random_() * len(firsts))]
        parts = [given]
        if random_() < 0.12:
            parts.insert(0, self.siti if female else self.muhammad)
        elif random_() < 0.22:
            second = firsts[int(random_() * len(firsts))]
            if second != given:
                parts.append(second)
        surname = ""
        if random_() < 0.82:
            lasts = self.female_last if female else self.male_last
            last = lasts[int(random_() * len(lasts))]
            parts.append(last)
            surname = last[0]
        return (
            " ".join([part[0] for part in parts]),
            " ".join([part[1] for part in parts]),
            given[0],
            surname,
        )

    def _stages(
        self,
        out: list[tuple],
        resident_id: int,
        registered: int,
        district_name: str,
        village_name: str,
    ) -> tuple:
        """A nested funnel: whoever reached a stage reached every earlier one first.
        Returns the resident's RECORDED_DATE_FIELDS: the day of each stage's one record."""
        random_ = self.rng.random
        draw = random_()
        if draw >= STAGE_REACH[0]:
            return self.unreached
        null = self.null
        reached = list(self.unreached)

        def pick(seq):
            return seq[int(random_() * len(seq))]

        day = registered
        for index, stage in enumerate(RECORDED_STAGES):
            if draw >= STAGE_REACH[index]:
                break
            low, high = FIRST_GAP if index == 0 else NEXT_GAP
            day += low + int(random_() * (high - low + 1))
            if day > self.today_ord:
                break
            mentor = licence_type = licence_number = channel = lender = note = ""
            amount = null
            if stage == Stage.PENDAMPINGAN:
                if random_() < 0.5:
                    mentor = f"Bu {pick(self.female_first)[0]} {pick(SHARED_SURNAMES)}"
                else:
                    mentor = f"Pak {pick(self.male_first)[0]} {pick(SHARED_SURNAMES)}"
                note = pick(MENTORING_NOTES)
            elif stage == Stage.PERIZINAN:
                licence_type = pick(self.licences)
                licence_number = self._licence_number(licence_type, day)
            elif stage == Stage.PEMASARAN:
                channel = pick(self.channels).format(
                    district=district_name, city=self.city_short, village=village_name
                )
            elif stage == Stage.PELAPORAN_KEUANGAN:
                note = pick(BOOKKEEPING_NOTES)
            else:
                lender = pick(self.lenders)
                amount = 500_000 * (10 + int(random_() * 91))  # Rp5-50 juta
            self.per_stage[stage] += 1
            reached[index] = self.iso[day - self.first_day]
            out.append(
                (
                    resident_id,
                    stage.value,
                    reached[index],
                    mentor,
                    licence_type,
                    licence_number,
                    channel,
                    lender,
                    amount,
                    note,
                    self._timestamp(day),
                )
            )
        return tuple(reached)

    def _licence_number(self, licence_type: str, ordinal: int) -> str:
        rng = self.rng
        issued = self.iso[ordinal - self.first_day]
        if licence_type == "nib":  # OSS business number, 13 digits
            return rng.choice(NIB_PREFIXES) + f"{rng.randrange(10**9):09d}"
        if (
            licence_type == "pirt"
        ):  # P-IRT: type, food group, kota, product, serial - expiry
            expires = (int(issued[:4]) + 5) % 100
            return (
                f"{rng.randint(1, 5)}{rng.randint(1, 16):02d}{self.city_digits}"
                f"{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}-{expires:02d}"
            )
        if (
            licence_type == "halal"
        ):  # BPJPH certificate: province, scheme, serial, month/year
            return (
                f"ID{self.city_digits[:2]}{rng.randint(110, 410)}{rng.randrange(10**8):08d}"
                f"{issued[5:7]}{issued[2:4]}"
            )
        return f"IDM{rng.randrange(10**9):09d}"  # DJKI trademark registration
