# Página web de wsf — español (traducción de trabajo, por revisar).
app-name = Foro de Solidaridad Mundial
skip = Ir al contenido
nav-home = Novedades
nav-logout = Cerrar sesión
home-title = Novedades en sus pilares
home-empty = Todavía no hay registros. Llegan de sus socios, o publique uno con `wsf publish`.
col-when = Fecha
col-kind = Tipo
col-title = Título
col-author = De
col-pillars = Pilares
kind-resource = Recurso
kind-practice = Buena práctica
kind-campaign = Llamado a la acción
kind-profile = Perfil
kind-endorsement = Adhesión
kind-retraction = Retiro
record-title = Registro
record-by = Publicado por
record-published = Publicado el
record-withdrawn = Retirado por su autor.
record-cosigned = { $partners ->
    [one] Firmado también por 1 socio
   *[other] Firmado también por { $partners } socios
} y { $others ->
    [one] 1 organización más
   *[other] { $others } organizaciones más
}
record-id = Identificador
login-failed-title = Este enlace de acceso no funciona
login-failed = El enlace ya se usó o tiene más de un minuto. Ejecute `wsf ui` de nuevo para obtener otro.
login-needed-title = Inicie sesión
login-needed = Abra esta página con el enlace que `wsf ui` muestra o abre; así inicia sesión en este navegador.
not-found-title = No encontrado
not-found = Aquí no existe esa página ni ese registro.
language = Idioma
next-page = Más antiguos
nav-publish = Publicar un llamado
publish-title = Publicar un llamado a la acción
field-title = Título
field-action = Tipo de acción
field-call = ¿Qué debe hacer la gente?
field-online = Se participa en línea
field-place = Lugar (si no es en línea)
field-description = Más detalles
field-starts = Empieza el
field-ends = Termina el
field-url = Dirección web
field-pillars = Pilares
action-online-campaign = Campaña en línea
action-seminar = Seminario
action-fundraising = Recaudación de fondos
action-advocacy = Incidencia
action-awareness-event = Sensibilización
action-other = Otra
form-errors = Corrija los campos señalados.
review-button = Revisar antes de publicar
review-title = Revise lo que se publicará
review-intro = Esto es exactamente lo que su organización firmará y enviará a cada socio de estos pilares. No se puede deshacer el envío; solo corregir o retirar después.
sign-button = Firmar y publicar
edit-button = Cambiar
published-title = Publicado
published = Su llamado está firmado, guardado y en camino a sus socios.
cosign-title = Adherirse
cosign-statement = Una breve declaración de su organización (opcional)
cosign-button = Adherirse en nombre de nuestra organización
withdraw-title = Retirar
withdraw-intro = Todos los nodos eliminan este registro y las versiones que reemplazaba. No se puede deshacer.
withdraw-reason = Por qué (se publica con el retiro; opcional)
withdraw-confirm = Sí, retirarlo de todos los nodos
withdraw-button = Retirar
withdraw-confirm-needed = Marque la casilla de confirmación para retirar el registro.
cosigners-partners = Firmado también por sus socios
cosigners-others = Firmado también por otras organizaciones
cosigners-earlier = Firmaron solo una versión anterior
record-history = Versiones anteriores
