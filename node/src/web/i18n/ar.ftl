# صفحة wsf — العربية (ترجمة أولية، تحتاج إلى مراجعة).
app-name = منتدى التضامن العالمي
skip = انتقل إلى المحتوى
nav-home = الجديد
nav-label = القائمة الرئيسية
nav-search = بحث
nav-profile = ملفنا التعريفي
nav-partners = الشركاء
nav-network = الشبكة
nav-carry = التصدير والاستيراد
language-button = تغيير
nav-logout = تسجيل الخروج
home-title = الجديد في محاورك
home-empty = لا توجد سجلات بعد. تصل من شركائك فور الاتصال، أو يمكنك أن تنشر سجلًا بنفسك.
col-when = التاريخ
col-kind = النوع
col-title = العنوان
col-author = من
col-pillars = المحاور
kind-resource = مورد
kind-practice = ممارسة جيدة
kind-campaign = نداء حملة
kind-profile = ملف تعريفي
kind-endorsement = توقيع مشترك
kind-retraction = سحب
record-title = سجل
record-by = نشره
record-published = تاريخ النشر
record-withdrawn = سحبه صاحبه.
record-cosigned = { $partners ->
    [zero] لم يوقّعه أي شريك
    [one] وقّعه شريك واحد
    [two] وقّعه شريكان
    [few] وقّعه { $partners } شركاء
    [many] وقّعه { $partners } شريكًا
   *[other] وقّعه { $partners } شريك
} و{ $others ->
    [zero] لا منظمات أخرى
    [one] منظمة أخرى واحدة
    [two] منظمتان أخريان
    [few] { $others } منظمات أخرى
    [many] { $others } منظمةً أخرى
   *[other] { $others } منظمة أخرى
}
record-id = معرّف السجل
login-failed-title = رابط الدخول هذا لا يعمل
login-failed = استُخدم الرابط من قبل أو مضى عليه أكثر من دقيقة. شغّل `wsf ui` مرة أخرى للحصول على رابط جديد.
login-needed-title = يرجى تسجيل الدخول
login-needed = افتح هذه الصفحة بالرابط الذي يطبعه أو يفتحه `wsf ui`؛ فهو يسجّل دخولك في هذا المتصفح.
not-found-title = غير موجود
not-found = لا توجد هنا صفحة أو سجل بهذا العنوان.
language = اللغة
next-page = سجلات أقدم
nav-publish = نشر
field-title = العنوان
field-action = نوع التحرك
field-call = ماذا نطلب من الناس؟
field-online = المشاركة عبر الإنترنت
field-place = المكان (إن لم تكن عبر الإنترنت)
field-description = مزيد من التفاصيل
field-starts = يبدأ في
field-ends = ينتهي في
field-url = عنوان الموقع
field-pillars = المحاور
action-online-campaign = حملة عبر الإنترنت
action-seminar = ندوة
action-fundraising = جمع تبرعات
action-advocacy = مناصرة
action-awareness-event = فعالية توعية
action-other = أخرى
form-errors = يرجى تصحيح الحقول المشار إليها.
review-button = مراجعة قبل النشر
review-title = راجع ما سيُنشر
review-intro = هذا بالضبط ما ستوقّعه منظمتك وترسله إلى كل شريك في هذه المحاور. لا يمكن استرجاعه بعد الإرسال؛ يمكن فقط تصحيحه أو سحبه لاحقًا.
sign-button = وقّع وانشر
edit-button = تعديل
published = تم النشر: موقّع باسم منظمتك، ومحفوظ، وفي طريقه إلى شركائك.
cosign-title = توقيع مشترك
cosign-statement = بيان قصير من منظمتك (اختياري)
cosign-button = وقّع باسم منظمتنا
withdraw-title = سحب
withdraw-intro = ستحذف كل العُقد هذا السجل والنسخ التي حلّ محلها. لا يمكن التراجع عن ذلك.
withdraw-reason = السبب (يُنشر مع السحب؛ اختياري)
withdraw-confirm = نعم، اسحبه من كل العُقد
withdraw-button = سحب
withdraw-confirm-needed = ضع علامة في مربع التأكيد لسحب السجل.
cosigners-partners = وقّعه شركاؤك
cosigners-others = وقّعته منظمات أخرى
cosigners-earlier = وقّعوا نسخة سابقة فقط
record-history = النسخ السابقة
field-type = النوع
field-summary = ملخص
field-body = النص
field-language = لغة النص
field-license = الترخيص
field-approach = ما الذي تم
field-context = السياق
field-country = البلد
field-region = المنطقة
field-challenge = المشكلة
field-outcome = النتيجة
field-lessons = الدروس المستفادة
field-target = الجهة المستهدفة
field-statement = البيان
field-reason = السبب
field-name = الاسم
field-website = الموقع الإلكتروني
field-countries = البلدان
field-contact = التواصل

## نماذج النشر
publish-kinds = ماذا تريد أن تنشر؟
publish-campaign = نشر نداء حملة
publish-resource = مشاركة مورد
publish-practice = مشاركة ممارسة جيدة
publish-profile = الملف التعريفي لمنظمتنا
correct-title = تصحيح سجل
correct-intro = تحلّ النسخة الجديدة محلّ هذه النسخة في كل العُقد؛ وتبقى التوقيعات المشتركة على النص القديم مرتبطة بالنص القديم.
correct-not-own = لا يمكن أن تصحّح هنا إلا الموارد والممارسات الجيدة ونداءات الحملات والملف التعريفي الخاصة بمنظمتك.
correct-button = تصحيح
review-correction = تحلّ هذه النسخة محلّ النسخة الحالية.
form-required = هذا الحقل مطلوب.
form-required-mark = مطلوب
form-not-date = هذا ليس تاريخًا (استخدم الصيغة سنة-شهر-يوم).
form-choose = اختر أحد الخيارات.
form-place-needed = حدّد مكانًا، أو ضع علامة على «المشاركة عبر الإنترنت».
form-pillar-needed = اختر محورًا واحدًا على الأقل.
type-guide = دليل
type-report = تقرير
type-toolkit = مجموعة أدوات
type-link = رابط
type-other = أخرى
field-campaign-description = مزيد من التفاصيل
field-profile-description = نبذة عن المنظمة
hint-profile-countries = افصل بينها بفواصل.
hint-resource-language = رمز لغة مثل en أو fr أو ar أو pt-BR.

## التصفح والبحث
upcoming-title = نداءات الحملات الجارية أو القادمة
records-title = أحدث السجلات
cosigned-by = وقّعه
and-more = { $n ->
    [zero] ولا منظمات أخرى
    [one] ومنظمة أخرى
    [two] ومنظمتان أخريان
    [few] و{ $n } منظمات أخرى
    [many] و{ $n } منظمةً أخرى
   *[other] و{ $n } منظمة أخرى
}
from-date = ابتداءً من
until-date = حتى
no-dates = لم تُحدَّد تواريخ
place-online = عبر الإنترنت
filter-title = تصفية
filter-all = الكل
filter-default-kinds = الموارد والممارسات الجيدة ونداءات الحملات
filter-author-hint = اسم شريك، أو بداية مفتاح.
filter-since = تاريخ النشر من
filter-until = تاريخ النشر حتى
filter-button = عرض
filter-clear = مسح عوامل التصفية
filter-bad-kind = نوع غير معروف.
home-empty-filtered = لا يوجد سجل يطابق عوامل التصفية هذه.
search-title = بحث
search-words = الكلمات المطلوب البحث عنها
search-hint = يجب أن تظهر كل كلمة في العنوان أو في النص، بأي نظام كتابة. ولا فرق بين الأحرف الكبيرة والصغيرة، ولا أثر لعلامات التشكيل أو النبر.
search-button = بحث
search-none = لم يُعثر على شيء.
state-expired = منتهي الصلاحية
state-ended = انتهى
live-new = جديد:
live-lagged = وصلت سجلات كثيرة دفعة واحدة؛ أعد تحميل الصفحة لرؤيتها كلها.
first-run-title = لم تنضم إلى أي شبكة بعد
first-run-text = للعمل مع الشركاء في شبكة مغلقة، الصق رمز الدعوة الذي أعطاك إياه أحد الشركاء.
first-run-link = الانضمام إلى شبكة

## من قاله (مؤشرات الثقة)
author-you = منظمتك
author-partner = شريك
author-blocked = محظورة
author-unverified = غير موثّقة
author-unknown = ناشر غير معروف
author-vouched = { $n ->
    [zero] لم يزكِّها أي شريك
    [one] زكّاها شريك واحد
    [two] زكّاها شريكان
    [few] زكّاها { $n } شركاء
    [many] زكّاها { $n } شريكًا
   *[other] زكّاها { $n } شريك
}
author-clash = تشابه في الأسماء

## صفحة السجل
record-key = بصمة المفتاح
record-refs = يشير إلى
record-lookalikes = { $n ->
    [zero] لا توجد منظمة أخرى اسمها يشبه هذا الاسم
    [one] هناك منظمة أخرى اسمها يشبه هذا الاسم
    [two] هناك منظمتان أخريان اسماهما يشبهان هذا الاسم
    [few] هناك { $n } منظمات أخرى أسماؤها تشبه هذا الاسم
    [many] هناك { $n } منظمةً أخرى أسماؤها تشبه هذا الاسم
   *[other] هناك { $n } منظمة أخرى أسماؤها تشبه هذا الاسم
}
ref-missing = غير موجود في هذه العقدة
add-partner-link = إضافة هذه المنظمة إلى شركائك

## الشركاء
partners-title = الشركاء
partners-intro = الشركاء منظمات تعرفها منظمتك وتثق بها. أسماؤهم هي الأسماء التي تعطيها لهم، وتظهر سجلاتهم وتوقيعاتهم المشتركة منسوبةً إليهم.
partners-none = لا يوجد شركاء بعد. أضف شريكًا من أي سجل من سجلاته، أو بمفتاحه أدناه.
partners-name = الاسم في هذه العقدة
partners-key = المفتاح
partners-status = الحالة
partners-actions = الإجراءات
status-partner = شريك
status-blocked = محظورة
partners-remove = إزالة
partners-add-title = إضافة شريك
partners-key-hint = مفتاح المنظمة (64 حرفًا ست عشريًا)، أو بدايته إذا لم يطابقها إلا مفتاح واحد.
partners-name-hint = اختياري: الاسم الذي تُعرف به هذه المنظمة في هذه العقدة (وإلا فالاسم الوارد في ملفها التعريفي).
partners-add = إضافة بصفة شريك
partner-done-add = أُضيفت المنظمة إلى شركائك.
partner-done-remove = أُزيلت المنظمة من القائمة.
partner-done-block = { $deleted ->
    [zero] حُظرت المنظمة؛ ولم يكن لها أي سجل لحذفه.
    [one] حُظرت المنظمة؛ وحُذف سجل واحد من سجلاتها.
    [two] حُظرت المنظمة؛ وحُذف سجلان من سجلاتها.
    [few] حُظرت المنظمة؛ وحُذفت { $deleted } سجلات من سجلاتها.
    [many] حُظرت المنظمة؛ وحُذف { $deleted } سجلًا من سجلاتها.
   *[other] حُظرت المنظمة؛ وحُذف { $deleted } سجل من سجلاتها.
}
block-title = حظر منظمة
block-intro = تُحذف سجلاتها هنا ولن تُقبل مرة أخرى أبدًا.
block-confirm = نعم، احظرها واحذف سجلاتها
block-button = حظر
block-confirm-needed = ضع علامة في مربع التأكيد لإتمام الحظر.
policy-title = ما تقبله هذه العقدة
policy-accept = قبول السجلات من
policy-open = الجميع (ضمن الحصة المحددة)
policy-partners = الشركاء، والمنظمات التي حظيت بتوقيعات مشتركة من عدد كافٍ من الشركاء
policy-trust = عدد التوقيعات المشتركة المطلوبة من الشركاء
policy-quota = عدد السجلات لكل منظمة في الساعة
policy-save = حفظ
policy-numbers = أدخل أعدادًا صحيحة لا تقل عن 1.
policy-saved = تم الحفظ.

## الشبكة
network-title = الشبكة
network-which = الشبكة
network-closed = شبكة مغلقة
network-public = الشبكة العامة
network-peer-id = معرّف النظير لهذه العقدة
network-listen = تستمع على
network-pillars = المحاور المتابَعة
network-records = السجلات المحفوظة
network-digest = خلاصة السجلات
network-digest-hint = العقدتان اللتان تحفظان السجلات نفسها تعرضان الخلاصة نفسها.
peers-title = الأقران المتصلون
peers-none = لا يوجد نظير متصل.
peers-id = النظير
peers-address = العنوان
peers-pillars = المحاور
peers-mesh = التبادل في
sync-button = المزامنة الآن مع كل الأقران
sync-none = لا يوجد نظير متصل.
sync-done = جلسات المزامنة: { $sessions }؛ السجلات المستلمة: { $stored }؛ المرسلة: { $pushed }؛ الجلسات الفاشلة: { $failed }.
dial-title = الاتصال بنظير
dial-address = العنوان
dial-hint = عنوان متعدد (multiaddress) مثل /ip4/192.0.2.7/tcp/7654/p2p/12D3…
dial-button = اتصال
dial-bad-address = هذا ليس عنوانًا
dial-done = تم الاتصال بالنظير
dial-timeout = لم يتم الاتصال خلال 20 ثانية.
invite-title = دعوة شريك
invite-made = أُنشئت الدعوة، وهي صالحة حتى
invite-qr-alt = رمز QR لرمز الدعوة
invite-code = رمز الدعوة
invite-warning = يستطيع كل من يملك هذا الرمز الانضمام ما دامت الدعوة مفتوحة: لا تعطه إلا لهذا الشريك، عبر قناة تثق بها. لا يحمل الرمز مفتاح الشبكة: هذه العقدة تعطي المفتاح لمن يستخدم الرمز، فأبقِها تعمل. على جهازه: wsf join CODE، أو «الانضمام إلى شبكة» في هذه الصفحة.
invite-days-label = مدة الصلاحية (بالأيام)
invite-button = إنشاء دعوة
invite-days = أدخل عددًا من الأيام بين 1 و365.
join-title = الانضمام إلى شبكة
join-intro = الصق رمز الدعوة الذي أعطاك إياه أحد الشركاء. يُعاد عندئذٍ تشغيل العقدة على تلك الشبكة، فتتصل بهذا الشريك وتحدّث سجلاتها؛ وتصبح المنظمة التي دعتك أول شركائك.
join-code = رمز الدعوة
join-button = انضمام
join-already = هذه العقدة موجودة بالفعل في شبكة مغلقة؛ فالعقدة تنتمي إلى شبكة واحدة فقط (استخدم مجلد بيانات آخر لشبكة أخرى).
join-bad-code = رمز الدعوة هذا لا يعمل
join-done-title = تم الانضمام
join-done = يُعاد تشغيل العقدة على الشبكة. افتح صفحة «الشبكة» بعد بضع ثوانٍ لرؤية أقرانها. الشبكة:
network-create-hint = لإنشاء شبكة مغلقة جديدة بدلًا من ذلك، شغّل `wsf network create NAME` والعقدة متوقفة.

## التصدير والاستيراد
carry-title = التصدير والاستيراد
carry-intro = تنقل الحزم السجلات إلى حيث لا تصل الشبكة: على ذاكرة USB، أو بالبريد الإلكتروني، أو كنسخة احتياطية. كل سجل في الحزمة موقّع؛ ويتحقق الاستيراد من كل سجل كما لو جاء من نظير.
export-title = تصدير حزمة
export-intro = { $n ->
    [zero] لا تحفظ هذه العقدة أي سجل.
    [one] تحفظ هذه العقدة سجلًا واحدًا.
    [two] تحفظ هذه العقدة سجلين.
    [few] تحفظ هذه العقدة { $n } سجلات.
    [many] تحفظ هذه العقدة { $n } سجلًا.
   *[other] تحفظ هذه العقدة { $n } سجل.
}
export-pillars = هذه المحاور فقط (إن لم تحدد أيًّا منها: كلها)
export-button = تنزيل الحزمة
import-title = استيراد حزمة
import-intro = تُتخطّى السجلات الموجودة هنا مسبقًا؛ أما المزوّرة أو التالفة أو المرفوضة فتُحصى ولا تُحفظ.
import-file = ملف الحزمة
import-passphrase = عبارة المرور لحزمة مشفّرة
import-passphrase-hint = اتركها فارغة للحزمة غير المشفّرة.
import-progress = الرفع
import-button = استيراد
import-no-file = اختر ملف حزمة.
import-done = تم استيراد
import-stored = { $n ->
    [zero] لم يُحفظ أي سجل
    [one] حُفظ سجل واحد
    [two] حُفظ سجلان
    [few] حُفظت { $n } سجلات
    [many] حُفظ { $n } سجلًا
   *[other] حُفظ { $n } سجل
}
import-duplicate = { $n ->
    [zero] لا يوجد أي سجل موجود مسبقًا
    [one] سجل واحد موجود مسبقًا
    [two] سجلان موجودان مسبقًا
    [few] { $n } سجلات موجودة مسبقًا
    [many] { $n } سجلًا موجودًا مسبقًا
   *[other] { $n } سجل موجود مسبقًا
}
import-expired = { $n ->
    [zero] لا توجد سجلات منتهية الصلاحية
    [one] سجل واحد منتهي الصلاحية
    [two] سجلان منتهيا الصلاحية
    [few] { $n } سجلات منتهية الصلاحية
    [many] { $n } سجلًا منتهي الصلاحية
   *[other] { $n } سجل منتهي الصلاحية
}
import-rejected = { $n ->
    [zero] لا توجد سجلات مرفوضة:
    [one] سجل واحد مرفوض:
    [two] سجلان مرفوضان:
    [few] { $n } سجلات مرفوضة:
    [many] { $n } سجلًا مرفوضًا:
   *[other] { $n } سجل مرفوض:
}

## المسح الطارئ
panic-title = مسح هذه العقدة
panic-link = امسح كل شيء على هذا الحاسوب الآن (طوارئ)
panic-intro = يؤدي هذا إلى إتلاف مفتاح دليل البيانات هذا وحذف ملفاته ثم إيقاف العقدة. لا يمكن التراجع عن ذلك. تبقى سجلاتك على عقد شركائك.
panic-encrypted = دليل البيانات هذا مشفّر: بعد إتلاف مفتاحه لا يمكن قراءة أي شيء مما تبقى منه، حتى من القرص.
panic-plain = دليل البيانات هذا غير مشفّر: تُحذف ملفاته، لكن قد يحتفظ القرص بنسخ مقروءة منها.
panic-confirm = نعم، امسح هذه العقدة الآن
panic-type = للتأكيد، اكتب الكلمة
panic-word = امسح
panic-button = امسح الآن
panic-confirm-needed = ضع علامة في المربع واكتب الكلمة للمسح.

unlock-title = فتح قفل هذه العقدة
unlock-intro = بيانات هذه العقدة مشفّرة. اكتب عبارة المرور لفتحها؛ وحتى ذلك الحين لا يُشارَك شيء ولا يمكن قراءة شيء.
unlock-passphrase = عبارة المرور
unlock-button = فتح القفل
unlock-wrong = عبارة مرور خاطئة. لم يتغير شيء.
unlock-empty = اكتب عبارة المرور.
unlock-busy = يجري التحقق من عبارة مرور؛ انتظر لحظة ثم حاول مرة أخرى.
unlock-first = العقدة مقفلة: افتح قفلها أولاً.
unlock-start-failed = كانت عبارة المرور صحيحة، لكن تعذّر تشغيل العقدة:
invite-uses-label = كم منظمة يمكنها الانضمام بها
invite-uses-bad = اكتب عدد المنظمات من 1 إلى 1000.
members-title = الأعضاء
members-intro = رحّب عضوٌ آخر بكل عضو. لا تقبل العُقد الاتصالات إلا من عُقد الأعضاء الحاليين.
members-not-gated = لم يُطبَّق بعد: أُنشئت هذه الشبكة قبل وجود العضوية. يُنهي تغييرُ المفتاح من قِبل مشرفٍ عمليةَ الانتقال.
members-one-admin = عيّن مشرفًا ثانيًا، حتى لا تنتهي الشبكة بمصادرة حاسوب واحد.
members-member = العضو
members-invited-by = دعاه
members-since = منذ
members-role = الدور
members-actions = الإجراءات
members-you = أنت
members-founded = أسّس الشبكة
members-before = عضو منذ ما قبل وجود العضوية
members-founder = المؤسِّس
members-admin = مشرف
members-make-admin = تعيين مشرفًا
members-remove = إزالة
members-removed-title = الأعضاء السابقون
members-left = غادر
members-removed-by = أزاله
members-epoch = حقبة مفتاح الشبكة:
members-done-admin = تم: أصبح العضو مشرفًا.
members-done-remove = أُزيل: تُرفض عُقده من الآن. غيّر المفتاح الآن حتى تتوقف نسخته من المفتاح القديم عن العمل عند انتهاء فترة السماح.
members-done-leave = غادرت هذه المنظمة الشبكة؛ ترفض العُقد الأخرى هذه العقدة من الآن.
members-done-rekey = أُنشئ مفتاح جديد وخُتم لكل عضو. تنتقل العُقد المتصلة خلال ثوانٍ؛ ويجب دعوة الأعضاء غير المتصلين طوال فترة السماح من جديد.
rekey-title = تغيير مفتاح الشبكة
rekey-intro = مفتاح جديد لا يقرؤه إلا الأعضاء الحاليون. تبقى المنشورات والسجل. يظل المفتاح القديم مقبولًا للأيام أدناه، ثم يُرفض.
rekey-days = قبول المفتاح القديم لمدة (أيام)
rekey-button = تغيير المفتاح
rekey-days-bad = أدخل عدد أيام من 1 إلى 90.
leave-title = مغادرة الشبكة
leave-confirm = أفهم: سترفض العُقد الأخرى هذه العقدة؛ ولن يعيدها إلا دعوة جديدة.
leave-button = مغادرة الشبكة
leave-unconfirmed = ضع علامة في المربع لتأكيد مغادرة هذه المنظمة.
peers-relayed = عبر مرحّل
