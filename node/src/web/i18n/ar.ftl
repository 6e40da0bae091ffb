# صفحة wsf — العربية (ترجمة أولية، تحتاج إلى مراجعة).
app-name = منتدى التضامن العالمي
skip = انتقل إلى المحتوى
nav-home = الجديد
nav-logout = تسجيل الخروج
home-title = الجديد في محاورك
home-empty = لا توجد سجلات بعد. تصل من شركائك، أو انشر سجلاً باستخدام `wsf publish`.
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
   *[other] وقّعه { $partners } شريكًا
} و{ $others ->
    [zero] لا منظمات أخرى
    [one] منظمة أخرى واحدة
    [two] منظمتان أخريان
    [few] { $others } منظمات أخرى
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
nav-publish = نشر نداء حملة
publish-title = نشر نداء حملة
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
published-title = تم النشر
published = نداء حملتك موقّع ومحفوظ وفي طريقه إلى شركائك.
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
