# Página web de wsf — español (traducción de trabajo, por revisar).
app-name = Foro de Solidaridad Mundial
skip = Ir al contenido
nav-home = Novedades
nav-label = Menú principal
nav-search = Buscar
nav-profile = Nuestro perfil
nav-partners = Socios
nav-network = Red
nav-carry = Exportar e importar
language-button = Cambiar
nav-logout = Cerrar sesión
home-title = Novedades en sus pilares
home-empty = Todavía no hay registros. Llegan de sus socios en cuanto hay conexión; también puede publicar uno.
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
nav-publish = Publicar
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
published = Publicado: firmado en nombre de su organización, guardado y en camino a sus socios.
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
field-type = Tipo
field-summary = Resumen
field-body = Texto
field-language = Idioma del texto
field-license = Licencia
field-approach = Lo que se hizo
field-context = Contexto
field-country = País
field-region = Región
field-challenge = El problema enfrentado
field-outcome = Resultado
field-lessons = Lecciones aprendidas
field-target = Dirigido a
field-statement = Declaración
field-reason = Motivo
field-name = Nombre
field-website = Sitio web
field-countries = Países
field-contact = Contacto

## Formularios de publicación
publish-kinds = ¿Qué desea publicar?
publish-campaign = Publicar un llamado a la acción
publish-resource = Compartir un recurso
publish-practice = Compartir una buena práctica
publish-profile = El perfil de nuestra organización
correct-title = Corregir un registro
correct-intro = La nueva versión reemplaza a esta en todos los nodos; las adhesiones al texto anterior siguen vinculadas al texto anterior.
correct-not-own = Aquí solo se pueden corregir los recursos, las buenas prácticas, los llamados a la acción y el perfil de su propia organización.
correct-button = Corregir
review-correction = Esta versión reemplaza a la actual.
form-required = Este campo es obligatorio.
form-required-mark = obligatorio
form-not-date = No es una fecha (use el formato año-mes-día).
form-choose = Elija una de las opciones.
form-place-needed = Indique un lugar o marque «Se participa en línea».
form-pillar-needed = Elija al menos un pilar.
type-guide = Guía
type-report = Informe
type-toolkit = Caja de herramientas
type-link = Enlace
type-other = Otro
field-campaign-description = Más detalles
field-profile-description = Acerca de la organización
hint-profile-countries = Sepárelos con comas.
hint-resource-language = Un código de idioma como en, fr, ar o pt-BR.

## Consulta y búsqueda
upcoming-title = Llamados a la acción en curso o próximos
records-title = Registros más recientes
cosigned-by = Firmado también por
and-more = { $n ->
    [one] y 1 más
   *[other] y { $n } más
}
from-date = desde el
until-date = hasta el
no-dates = sin fechas indicadas
place-online = en línea
filter-title = Filtrar
filter-all = Todos
filter-default-kinds = Recursos, buenas prácticas y llamados a la acción
filter-author-hint = El nombre de un socio o el comienzo de una clave.
filter-since = Publicados desde el
filter-until = Publicados hasta el
filter-button = Mostrar
filter-clear = Quitar los filtros
filter-bad-kind = Tipo desconocido.
home-empty-filtered = Ningún registro coincide con estos filtros.
search-title = Buscar
search-words = Palabras que buscar
search-hint = Todas las palabras deben aparecer en el título o en el texto, en cualquier alfabeto. No importan las mayúsculas ni los acentos.
search-button = Buscar
search-none = No se encontró nada.
state-expired = caducado
state-ended = terminado
live-new = Nuevo:
live-lagged = Llegaron muchos registros a la vez; recargue la página para verlos todos.
first-run-title = Todavía no forma parte de ninguna red
first-run-text = Para trabajar con socios en una red cerrada, pegue el código de invitación que le dio un socio.
first-run-link = Unirse a una red

## Quién lo dijo (los indicadores de confianza)
author-you = su organización
author-partner = socio
author-blocked = bloqueada
author-unverified = no verificada
author-unknown = autor desconocido
author-vouched = { $n ->
    [one] avalada por 1 socio
   *[other] avalada por { $n } socios
}
author-clash = conflicto de nombres

## Página de un registro
record-key = Huella de la clave
record-refs = Se refiere a
record-lookalikes = { $n ->
    [one] 1 organización más tiene un nombre parecido a este
   *[other] { $n } organizaciones más tienen un nombre parecido a este
}
ref-missing = no está en este nodo
add-partner-link = Añadir esta organización a sus socios

## Socios
partners-title = Socios
partners-intro = Los socios son organizaciones que su organización conoce y en las que confía. Sus nombres son los que usted les da; sus registros y adhesiones aparecen marcados como suyos.
partners-none = Todavía no hay socios. Añada uno desde cualquiera de sus registros, o con su clave más abajo.
partners-name = Nombre en este nodo
partners-key = Clave
partners-status = Estado
partners-actions = Acciones
status-partner = socio
status-blocked = bloqueada
partners-remove = Quitar
partners-add-title = Añadir un socio
partners-key-hint = La clave de la organización (64 caracteres hexadecimales), o su comienzo si solo coincide una.
partners-name-hint = Opcional: cómo se llama esta organización en este nodo (si no, el nombre de su perfil).
partners-add = Añadir como socio
partner-done-add = Organización añadida a sus socios.
partner-done-remove = Organización quitada de la lista.
partner-done-block = { $deleted ->
    [0] Organización bloqueada; no tenía registros que eliminar.
    [one] Organización bloqueada; se eliminó 1 de sus registros.
   *[other] Organización bloqueada; se eliminaron { $deleted } de sus registros.
}
block-title = Bloquear una organización
block-intro = Sus registros se eliminan de este nodo y no se volverán a aceptar nunca.
block-confirm = Sí, bloquearla y eliminar sus registros
block-button = Bloquear
block-confirm-needed = Marque la casilla de confirmación para bloquear.
policy-title = Qué acepta este nodo
policy-accept = Aceptar registros de
policy-open = todo el mundo (dentro de la cuota)
policy-partners = sus socios y las organizaciones con suficientes adhesiones de socios
policy-trust = Adhesiones de socios necesarias
policy-quota = Registros por organización y por hora
policy-save = Guardar
policy-numbers = Indique números enteros iguales o mayores que 1.
policy-saved = Guardado.

## Red
network-title = Red
network-which = Red
network-closed = red cerrada
network-public = la red pública
network-peer-id = Identificador de par de este nodo
network-listen = Escuchando en
network-pillars = Pilares seguidos
network-records = Registros guardados
network-digest = Resumen de los registros
network-digest-hint = Dos nodos que guardan los mismos registros muestran el mismo resumen.
peers-title = Pares conectados
peers-none = No hay ningún par conectado.
peers-id = Par
peers-address = Dirección
peers-pillars = Pilares
peers-mesh = Intercambio en
sync-button = Sincronizar ahora con todos los pares
sync-none = No hay ningún par conectado.
sync-done = Sesiones de sincronización: { $sessions }; registros recibidos: { $stored }; enviados: { $pushed }; sesiones fallidas: { $failed }.
dial-title = Conectarse a un par
dial-address = Dirección
dial-hint = Una multidirección como /ip4/192.0.2.7/tcp/7654/p2p/12D3…
dial-button = Conectar
dial-bad-address = No es una dirección
dial-done = Conectado a
dial-timeout = No se logró la conexión en 20 segundos.
invite-title = Invitar a un socio
invite-made = Invitación creada, válida hasta el
invite-qr-alt = Código QR del código de invitación
invite-code = Código de invitación
invite-warning = Quien tenga este código puede unirse mientras la invitación esté abierta: entrégueselo solo a ese socio, por un canal de confianza. No contiene la clave de la red: este nodo se la da a quien use el código, así que manténgalo en marcha. En su equipo: wsf join CODE, o «Unirse a una red» en esta página.
invite-days-label = Válida durante (días)
invite-button = Crear una invitación
invite-days = Indique un número de días entre 1 y 365.
join-title = Unirse a una red
join-intro = Pegue el código de invitación que le dio un socio. El nodo se reinicia entonces en esa red, se conecta a ese socio y se pone al día; la organización que le invitó pasa a ser su primer socio.
join-code = Código de invitación
join-button = Unirse
join-already = Este nodo ya está en una red cerrada; un nodo pertenece a una sola red (use otro directorio de datos para otra red).
join-bad-code = Este código de invitación no funciona
join-done-title = Se ha unido a la red
join-done = El nodo se está reiniciando en la red. Abra la página «Red» dentro de unos segundos para ver sus pares. Red:
network-create-hint = Para crear en cambio una nueva red cerrada, ejecute `wsf network create NAME` con el nodo detenido.

## Exportar e importar
carry-title = Exportar e importar
carry-intro = Los paquetes llevan registros adonde la red no llega: en una memoria USB, por correo electrónico, como copia de seguridad. Cada registro de un paquete está firmado; al importar, se comprueba cada uno como si viniera de un par.
export-title = Exportar un paquete
export-intro = { $n ->
    [0] Este nodo no guarda ningún registro.
    [one] Este nodo guarda 1 registro.
   *[other] Este nodo guarda { $n } registros.
}
export-pillars = Solo estos pilares (si no marca ninguno: todos)
export-button = Descargar el paquete
import-title = Importar un paquete
import-intro = Los registros que ya están aquí se omiten; los falsificados, dañados o rechazados se cuentan y no se guardan.
import-file = Archivo del paquete
import-passphrase = Frase de contraseña de un paquete cifrado
import-passphrase-hint = Déjela vacía para un paquete sin cifrar.
import-progress = Carga
import-button = Importar
import-no-file = Elija un archivo de paquete.
import-done = Paquete importado:
import-stored = { $n ->
    [one] 1 registro guardado
   *[other] { $n } registros guardados
}
import-duplicate = { $n ->
    [one] 1 ya estaba aquí
   *[other] { $n } ya estaban aquí
}
import-expired = { $n ->
    [one] 1 caducado
   *[other] { $n } caducados
}
import-rejected = { $n ->
    [one] 1 rechazado:
   *[other] { $n } rechazados:
}

## Borrado de emergencia
panic-title = Borrar este nodo
panic-link = Borrar todo en este ordenador ahora (emergencia)
panic-intro = Esto destruye la clave de este directorio de datos, elimina sus archivos y detiene el nodo. No se puede deshacer. Sus registros siguen en los nodos de sus socios.
panic-encrypted = Este directorio de datos está cifrado: una vez destruida su clave, nada de lo que queda se puede leer, ni siquiera en el disco.
panic-plain = Este directorio de datos NO está cifrado: sus archivos se eliminan, pero el disco puede conservar copias legibles.
panic-confirm = Sí, borrar este nodo ahora
panic-type = Para confirmar, escriba la palabra
panic-word = borrar
panic-button = Borrar ahora
panic-confirm-needed = Marque la casilla y escriba la palabra para borrar.

unlock-title = Desbloquear este nodo
unlock-intro = Los datos de este nodo están cifrados. Escriba su frase de contraseña para abrirlos; hasta entonces no se comparte ni se puede leer nada.
unlock-passphrase = Frase de contraseña
unlock-button = Desbloquear
unlock-wrong = Frase de contraseña incorrecta. No se ha cambiado nada.
unlock-empty = Escriba la frase de contraseña.
unlock-busy = Se está comprobando una frase de contraseña; espere un momento y vuelva a intentarlo.
unlock-first = El nodo está bloqueado: desbloquéelo primero.
unlock-start-failed = La frase de contraseña era correcta, pero el nodo no pudo arrancar:
invite-uses-label = Cuántas organizaciones pueden usarla
invite-uses-bad = Indique un número de organizaciones entre 1 y 1000.
members-title = Miembros
members-intro = Cada miembro fue recibido por otro miembro. Los nodos solo aceptan conexiones de los nodos de los miembros actuales.
members-not-gated = Aún no se aplica: esta red se creó antes de que existieran los miembros. Un cambio de clave por un administrador termina la migración.
members-one-admin = Nombre un segundo administrador, para que un solo portátil incautado no acabe con la red.
members-member = Miembro
members-invited-by = Invitado por
members-since = Desde
members-role = Función
members-actions = Acciones
members-you = usted
members-founded = fundó la red
members-before = miembro desde antes de que existieran los miembros
members-founder = fundador
members-admin = administrador
members-make-admin = Nombrar administrador
members-remove = Retirar
members-removed-title = Antiguos miembros
members-left = se fue
members-removed-by = retirado por
members-epoch = Época de la clave de la red:
members-done-admin = Hecho: el miembro ahora es administrador.
members-done-remove = Retirado: sus nodos se rechazan a partir de ahora. Cambie la clave ahora, para que su copia de la clave antigua deje de funcionar al terminar el periodo de gracia.
members-done-leave = Esta organización dejó la red; los demás nodos rechazan este nodo a partir de ahora.
members-done-rekey = Nueva clave creada y sellada para cada miembro. Los nodos en línea cambian en segundos; los miembros desconectados durante todo el periodo de gracia deben ser invitados de nuevo.
rekey-title = Cambiar la clave de la red
rekey-intro = Una nueva clave, legible solo por los miembros actuales. Las publicaciones y el historial se conservan. La clave antigua se sigue aceptando durante los días indicados y luego se rechaza.
rekey-days = Clave antigua aceptada durante (días)
rekey-button = Cambiar la clave
rekey-days-bad = Indique un número de días de 1 a 90.
leave-title = Dejar la red
leave-confirm = Entiendo: los demás nodos rechazarán este nodo; solo una nueva invitación lo hará volver.
leave-button = Dejar la red
leave-unconfirmed = Marque la casilla para confirmar que esta organización se va.
peers-relayed = retransmitido
