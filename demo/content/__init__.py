"""The demo's content: a fictional district (示范区) with its delegations, deputies, units and
112 suggestions written to read like real ones, for this year's meeting (`demo.this_year`);
last year's 24 are in `suggestions_prev`. Plain data."""

# ruff: noqa: E501
from demo.content.suggestions_1 import SUGGESTIONS as _S1
from demo.content.suggestions_2 import SUGGESTIONS as _S2
from demo.content.suggestions_3 import SUGGESTIONS as _S3
from demo.content.suggestions_4 import SUGGESTIONS as _S4

DISTRICT = "示范区"

DELEGATIONS = [
    "东城街道代表团",
    "西湖街道代表团",
    "南苑街道代表团",
    "青龙镇代表团",
    "白沙镇代表团",
    "柳溪乡代表团",
    "驻区机关代表团",
    "教育卫生代表团",
]

DEPUTIES = [
    {
        "name": "王建国",
        "gender": "m",
        "delegation": "东城街道代表团",
        "work_unit": "东城街道和平社区党委书记、居委会主任",
    },
    {"name": "李红梅", "gender": "f", "delegation": "东城街道代表团", "work_unit": "东城街道社区卫生服务中心护士长"},
    {"name": "张志远", "gender": "m", "delegation": "东城街道代表团", "work_unit": "示范区远航物流有限公司总经理"},
    {"name": "刘晓燕", "gender": "f", "delegation": "东城街道代表团", "work_unit": "东城实验小学副校长"},
    {"name": "陈国强", "gender": "m", "delegation": "东城街道代表团", "work_unit": "东城街道城管执法中队队长"},
    {"name": "杨丽娟", "gender": "f", "delegation": "东城街道代表团", "work_unit": "示范区惠民超市连锁有限公司店长"},
    {"name": "赵德明", "gender": "m", "delegation": "东城街道代表团", "work_unit": "东城街道退休干部、老年协会会长"},
    {
        "name": "黄海波",
        "gender": "m",
        "delegation": "东城街道代表团",
        "work_unit": "示范区律师协会副会长、明理律师事务所主任",
    },
    {"name": "周敏", "gender": "f", "delegation": "西湖街道代表团", "work_unit": "西湖街道湖滨社区居委会主任"},
    {"name": "吴建华", "gender": "m", "delegation": "西湖街道代表团", "work_unit": "示范区第二中学高级教师"},
    {"name": "徐静", "gender": "f", "delegation": "西湖街道代表团", "work_unit": "西湖街道便民服务中心主任"},
    {"name": "孙立军", "gender": "m", "delegation": "西湖街道代表团", "work_unit": "示范区恒信建筑工程有限公司董事长"},
    {"name": "胡春燕", "gender": "f", "delegation": "西湖街道代表团", "work_unit": "西湖幼儿园园长"},
    {"name": "朱永刚", "gender": "m", "delegation": "西湖街道代表团", "work_unit": "示范区公交集团第三分公司驾驶员"},
    {"name": "高文斌", "gender": "m", "delegation": "西湖街道代表团", "work_unit": "西湖街道党工委副书记"},
    {"name": "林秀英", "gender": "f", "delegation": "西湖街道代表团", "work_unit": "西湖农贸市场个体经营户"},
    {"name": "何振宇", "gender": "m", "delegation": "南苑街道代表团", "work_unit": "示范区智联电子科技有限公司董事长"},
    {"name": "郭丽华", "gender": "f", "delegation": "南苑街道代表团", "work_unit": "南苑街道金桂社区党委书记"},
    {"name": "马俊杰", "gender": "m", "delegation": "南苑街道代表团", "work_unit": "示范区人民医院骨科主任"},
    {"name": "罗雪梅", "gender": "f", "delegation": "南苑街道代表团", "work_unit": "南苑中学语文教研组长"},
    {
        "name": "梁志宏",
        "gender": "m",
        "delegation": "南苑街道代表团",
        "work_unit": "示范区南苑物业管理有限公司项目经理",
    },
    {"name": "宋佳", "gender": "f", "delegation": "南苑街道代表团", "work_unit": "南苑街道社会工作服务站站长"},
    {"name": "郑海涛", "gender": "m", "delegation": "南苑街道代表团", "work_unit": "示范区消防救援大队南苑站站长"},
    {"name": "谢文华", "gender": "m", "delegation": "南苑街道代表团", "work_unit": "南苑街道个体工商户、餐饮店负责人"},
    {"name": "韩冬梅", "gender": "f", "delegation": "青龙镇代表团", "work_unit": "青龙镇白沙村党支部书记、村委会主任"},
    {"name": "唐建军", "gender": "m", "delegation": "青龙镇代表团", "work_unit": "青龙镇丰收果蔬专业合作社理事长"},
    {"name": "冯志刚", "gender": "m", "delegation": "青龙镇代表团", "work_unit": "青龙镇中心小学校长"},
    {"name": "于桂兰", "gender": "f", "delegation": "青龙镇代表团", "work_unit": "青龙镇卫生院全科医生"},
    {"name": "董继伟", "gender": "m", "delegation": "青龙镇代表团", "work_unit": "示范区青龙机械制造有限公司总经理"},
    {"name": "程晓丽", "gender": "f", "delegation": "青龙镇代表团", "work_unit": "青龙镇石桥村妇联主席"},
    {"name": "曹宏伟", "gender": "m", "delegation": "青龙镇代表团", "work_unit": "青龙镇党委副书记、镇长"},
    {"name": "袁德福", "gender": "m", "delegation": "青龙镇代表团", "work_unit": "青龙镇种粮大户、家庭农场主"},
    {"name": "邓秀珍", "gender": "f", "delegation": "白沙镇代表团", "work_unit": "白沙镇敬老院院长"},
    {"name": "许国平", "gender": "m", "delegation": "白沙镇代表团", "work_unit": "白沙镇新河村党总支书记"},
    {"name": "傅玉洁", "gender": "f", "delegation": "白沙镇代表团", "work_unit": "白沙镇中学教师"},
    {"name": "沈卫东", "gender": "m", "delegation": "白沙镇代表团", "work_unit": "示范区白沙水产养殖专业合作社理事长"},
    {"name": "曾凡荣", "gender": "m", "delegation": "白沙镇代表团", "work_unit": "示范区绿源食品有限公司董事长"},
    {"name": "彭小芳", "gender": "f", "delegation": "白沙镇代表团", "work_unit": "白沙镇便民服务中心工作人员"},
    {"name": "吕学军", "gender": "m", "delegation": "白沙镇代表团", "work_unit": "白沙镇农业综合服务中心主任"},
    {"name": "苏婉清", "gender": "f", "delegation": "白沙镇代表团", "work_unit": "白沙镇民宿协会会长"},
    {"name": "蒋大海", "gender": "m", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡上坪村村委会主任"},
    {"name": "蔡淑芬", "gender": "f", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡茶叶专业合作社理事长"},
    {"name": "贾永福", "gender": "m", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡党委书记"},
    {"name": "丁雪琴", "gender": "f", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡中心幼儿园教师"},
    {"name": "魏长青", "gender": "m", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡水利站站长"},
    {"name": "薛晓红", "gender": "f", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡卫生院护士"},
    {"name": "叶承志", "gender": "m", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡竹木加工厂厂长"},
    {"name": "阎春生", "gender": "m", "delegation": "柳溪乡代表团", "work_unit": "柳溪乡下湾村村民、返乡创业青年"},
    {"name": "余振华", "gender": "m", "delegation": "驻区机关代表团", "work_unit": "区发展和改革局局长"},
    {"name": "潘美玲", "gender": "f", "delegation": "驻区机关代表团", "work_unit": "区妇女联合会主席"},
    {"name": "杜文涛", "gender": "m", "delegation": "驻区机关代表团", "work_unit": "区总工会副主席"},
    {"name": "戴红霞", "gender": "f", "delegation": "驻区机关代表团", "work_unit": "区残疾人联合会理事长"},
    {"name": "夏明轩", "gender": "m", "delegation": "驻区机关代表团", "work_unit": "示范区国有资产投资集团副总经理"},
    {"name": "钟丽萍", "gender": "f", "delegation": "驻区机关代表团", "work_unit": "区工商业联合会副主席"},
    {"name": "汪建平", "gender": "m", "delegation": "驻区机关代表团", "work_unit": "区税务局副局长"},
    {"name": "田国庆", "gender": "m", "delegation": "驻区机关代表团", "work_unit": "区供电公司总经理"},
    {"name": "任晓雯", "gender": "f", "delegation": "教育卫生代表团", "work_unit": "区妇幼保健院院长"},
    {"name": "姜海龙", "gender": "m", "delegation": "教育卫生代表团", "work_unit": "示范区第一中学校长"},
    {"name": "范淑娟", "gender": "f", "delegation": "教育卫生代表团", "work_unit": "区疾病预防控制中心副主任"},
    {"name": "方志诚", "gender": "m", "delegation": "教育卫生代表团", "work_unit": "区中医院院长"},
    {"name": "石慧敏", "gender": "f", "delegation": "教育卫生代表团", "work_unit": "示范区职业技术学校教务处主任"},
    {"name": "姚俊峰", "gender": "m", "delegation": "教育卫生代表团", "work_unit": "区人民医院急诊科医生"},
    {"name": "廖春兰", "gender": "f", "delegation": "教育卫生代表团", "work_unit": "南苑实验小学教师"},
    {"name": "邹永生", "gender": "m", "delegation": "教育卫生代表团", "work_unit": "区特殊教育学校校长"},
]

UNITS = [
    {"name": "区教育局", "short_name": "教育局", "kind": "government"},
    {"name": "区住房和城乡建设局", "short_name": "住建局", "kind": "government"},
    {"name": "区交通运输局", "short_name": "交通局", "kind": "government"},
    {"name": "区卫生健康委员会", "short_name": "卫健委", "kind": "government"},
    {"name": "区农业农村局", "short_name": "农业农村局", "kind": "government"},
    {"name": "区自然资源和规划局", "short_name": "自然资源局", "kind": "government"},
    {"name": "区生态环境分局", "short_name": "生态环境分局", "kind": "government"},
    {"name": "区财政局", "short_name": "财政局", "kind": "government"},
    {"name": "区发展和改革局", "short_name": "发改局", "kind": "government"},
    {"name": "区人力资源和社会保障局", "short_name": "人社局", "kind": "government"},
    {"name": "区民政局", "short_name": "民政局", "kind": "government"},
    {"name": "区城市管理局", "short_name": "城管局", "kind": "government"},
    {"name": "区市场监督管理局", "short_name": "市场监管局", "kind": "government"},
    {"name": "区水务局", "short_name": "水务局", "kind": "government"},
    {"name": "区文化广电旅游体育局", "short_name": "文广旅体局", "kind": "government"},
    {"name": "区公安分局", "short_name": "公安分局", "kind": "government"},
    {"name": "区人民法院", "short_name": "区法院", "kind": "court"},
    {"name": "区人民检察院", "short_name": "区检察院", "kind": "procuratorate"},
]

CATEGORIES = [
    "教科文卫体",
    "交通邮电",
    "农林水利",
    "工业经济",
    "城乡建设与管理",
    "财政金融",
    "社会民生",
    "生态环境",
    "政治法律",
]

SOURCES = [
    ("专题调研", True),
    ("集中视察", True),
    ("代表小组活动", True),
    ("座谈走访", True),
    ("联络站收集群众意见", True),
    ("个人调查了解", False),
    ("其他", False),
]

SUGGESTIONS = [*_S1, *_S2, *_S3, *_S4]
