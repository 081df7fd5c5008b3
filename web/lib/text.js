/* web/lib/text.js — every word the pages show that is not the hall's own
 * (matter and window names come from the daemon), in Chinese and English,
 * and the choice between them; the hall's own names in the language
 * (name_en, name()) and the hall's time (setHall(), time()), here because
 * this is the one script every page loads first.  One catalogue: the
 * strings several pages share once (COMMON), then each page's own (PAGES);
 * a page's string wins over a shared one of the same key.  The language
 * comes from ?lang=zh|en (remembered in localStorage) or what was
 * remembered, Chinese by default.
 * How waits, durations and ticket states are phrased is web/lib/format.js.
 * A classic script that sets globalThis.HallqText, in the browser (<script>,
 * before common.js) and in node's tests (await import()) alike. */
'use strict';

(function (global) {
  var hasOwn = Object.prototype.hasOwnProperty;

  /* Said the same on every page that says it. */
  var COMMON = {
    zh: {
      'lang.other': 'EN',
      'conn.connecting': '连接中', 'conn.live': '实时', 'conn.retry': '重连中',
      'conn.unauthorized': '令牌无效', 'conn.notoken': '需要令牌',
      'token.use': '连接',
      'w.open': '开放', 'w.paused': '暂停', 'w.closed': '关闭',
      't.called': '叫号中', 't.serving': '办理中',
      'held': '挂起', 'min': '分钟', 'none': '–',
      /* 好差评: the ticket's own page (/t/ID) and the window's evaluator
       * (/rate?window=N, rate.js: its strings are all here) */
      'rate.5': '非常满意', 'rate.4': '满意', 'rate.3': '基本满意', 'rate.2': '不满意', 'rate.1': '非常不满意',
      'rate.ask': '请您对本次服务进行评价', 'rate.once': '一次一评，提交后不能修改',
      'rate.comment': '意见或建议（选填，最多 {max} 字）', 'rate.count': '{n}/{max} 字',
      'rate.submit': '提交评价', 'rate.pick': '请先选择一个评价等级', 'rate.sending': '正在提交…',
      'rate.recorded': '评价已提交，感谢您的评价！', 'rate.yours': '您的评价：{score}',
      'rate.already': '这张号已经评价过了：每张号只能评价一次。',
      'rate.closed': '评价时间已过（办结后只能在规定时间内评价），不能再评价。',
      'rate.not_served': '这张号还没有办结，办结后才能评价。',
      'rate.failed': '评价没有提交成功（{code}），请重试。',
      'rate.network': '网络中断，评价没有提交，请重试。',
      'rate.title': '服务评价', 'rate.welcome': '您好，欢迎办理业务', 'rate.clerk': '工作人员：{name}',
      'rate.serving': '正在为 {number} 号办理', 'rate.for': '{number} 号，请您对本次服务进行评价',
      'rate.thanks': '感谢您的评价！', 'rate.back': '{s} 秒后返回',
      'rate.fatal.notoken': '缺少令牌：请用 /rate?token=评价器令牌&window=3 打开',
      'rate.fatal.nowindow': '请在地址中指定窗口，例如 /rate?token=评价器令牌&window=3',
      'rate.fatal.unknown': '没有{n}号窗口', 'rate.fatal.token': '令牌无效：请检查地址中的 token',
      'rate.fatal.forbidden': '此令牌不能为{n}号窗口评价：请使用该窗口的评价器（evaluator）令牌',
      /* the QR code of /q on the board and the kiosk */
      'q.scan': '扫码查看排队情况'
    },
    en: {
      'lang.other': '中文',
      'conn.connecting': 'connecting', 'conn.live': 'live', 'conn.retry': 'reconnecting',
      'conn.unauthorized': 'bad token', 'conn.notoken': 'token needed',
      'token.use': 'Connect',
      'w.open': 'open', 'w.paused': 'paused', 'w.closed': 'closed',
      't.called': 'called', 't.serving': 'serving',
      'held': 'held', 'min': 'min', 'none': '–',
      'rate.5': 'Very satisfied', 'rate.4': 'Satisfied', 'rate.3': 'Fairly satisfied',
      'rate.2': 'Dissatisfied', 'rate.1': 'Very dissatisfied',
      'rate.ask': 'Please rate our service', 'rate.once': 'One rating per ticket; it cannot be changed',
      'rate.comment': 'Comments (optional, up to {max} characters)', 'rate.count': '{n}/{max}',
      'rate.submit': 'Submit', 'rate.pick': 'Please choose a rating first', 'rate.sending': 'Sending…',
      'rate.recorded': 'Your rating was recorded. Thank you!', 'rate.yours': 'Your rating: {score}',
      'rate.already': 'This ticket has already been rated: one rating per ticket.',
      'rate.closed': 'The time to rate this service is over.',
      'rate.not_served': 'This ticket is not finished yet: rate it once it is done.',
      'rate.failed': 'Your rating was not sent ({code}). Please try again.',
      'rate.network': 'Network failure: your rating was not sent. Please try again.',
      'rate.title': 'Rate our service', 'rate.welcome': 'Welcome', 'rate.clerk': 'Your clerk: {name}',
      'rate.serving': 'Now serving {number}', 'rate.for': 'Number {number}: please rate our service',
      'rate.thanks': 'Thank you for your rating!', 'rate.back': 'back in {s} s',
      'rate.fatal.notoken': 'Token needed: open /rate?token=EVALUATOR_TOKEN&window=3',
      'rate.fatal.nowindow': 'Name the window in the address, e.g. /rate?token=EVALUATOR_TOKEN&window=3',
      'rate.fatal.unknown': 'There is no window {n}', 'rate.fatal.token': 'Bad token: check the token in the address',
      'rate.fatal.forbidden': 'This token cannot rate for window {n}: use the window\'s evaluator token',
      'q.scan': 'Scan for live waiting'
    }
  };

  /* Each page's own: index (/, app.js), board, pad, kiosk, status (/t/ID,
   * t.js), dashboard, book, q, cases, reports, admin. */
  var PAGES = {
    /* the first live page */
    index: {
      zh: {
        'token.label': '访问令牌',
        'matters.title': '事项排队', 'matters.code': '编码', 'matters.name': '事项',
        'matters.domain': '领域', 'matters.waiting': '等候', 'matters.oldest': '最久等候',
        'matters.eta': '预计等候', 'matters.open': '开放窗口',
        'windows.title': '窗口', 'footer.seq': '事件序号',
        't.none': '空闲'
      },
      en: {
        'token.label': 'Access token',
        'matters.title': 'Matters', 'matters.code': 'Code', 'matters.name': 'Matter',
        'matters.domain': 'Domain', 'matters.waiting': 'Waiting', 'matters.oldest': 'Oldest wait',
        'matters.eta': 'Est. wait', 'matters.open': 'Open windows',
        'windows.title': 'Windows', 'footer.seq': 'Event seq',
        't.none': 'idle'
      }
    },
    /* the hall board */
    board: {
      zh: {
        title: '叫号屏', now: '正在叫号', recent: '最近叫号', windows: '窗口',
        hint: '请留意叫号，听到您的号码后请到相应窗口办理',
        'sound.off': '声音未开启 · 按任意键或点击屏幕启用',
        'conn.live': '在线', 'conn.retry': '重新连接中',
        'conn.notoken': '缺少令牌：/board?token=…',
        none: '暂无叫号', go: '请到', banli: '办理', recall: '再次呼叫',
        't.held': '挂起', 't.done': '已办结',
        't.no_show': '过号', 't.transferred': '已转移', idle: '空闲',
        't.waiting': '等候中', 't.cancelled': '已取消', 't.expired': '已过期',
        'w.paused': '暂停服务'
      },
      en: {
        title: 'Hall board', now: 'Now calling', recent: 'Recent calls', windows: 'Windows',
        hint: 'Please listen for your number, then go to the window shown',
        'sound.off': 'Sound is off · press any key or tap the screen',
        'conn.notoken': 'token needed: /board?token=…',
        none: 'No calls yet', go: 'Please go to', banli: '', recall: 'called again',
        't.called': 'calling', 't.held': 'on hold', 't.done': 'done',
        't.no_show': 'missed', 't.transferred': 'transferred', idle: 'free',
        't.waiting': 'waiting', 't.cancelled': 'cancelled', 't.expired': 'expired'
      }
    },
    /* the soft pad of a window */
    pad: {
      zh: {
        'title': '窗口呼叫器',
        'current': '当前号', 'waiting': '等候人数', 'held': '挂起的号',
        'k.call-next': '叫下一位', 'k.recall': '重呼', 'k.start': '开始办理', 'k.finish': '办结',
        'k.no-show': '过号', 'k.hold': '挂起', 'k.transfer': '转移', 'k.pause': '暂停', 'k.resume': '恢复',
        'k.open': '开启窗口', 'k.close': '关闭窗口', 'k.call': '叫回',
        'clerk': '办理人：{name}',
        'none': '空闲 — 按“叫下一位”(N) 叫号', 'none.paused': '窗口已暂停 — 按“恢复”(P) 继续叫号',
        'none.closed': '窗口已关闭', 'held.none': '没有挂起的号',
        'timer.called': '已叫号', 'timer.serving': '已办理',
        'issued': '取号 {time}，等候 {wait}', 'recalls': '重呼 {n} 次', 'transferred': '转入 {n} 次',
        'tier': '第{n}级', 'green': '绿色通道',
        'tr.title': '转移 {number}', 'tr.matter': '转到事项（排入该事项的队列）',
        'tr.window': '转到窗口（只由该窗口叫号）', 'tr.cancel': '取消', 'tr.current': '当前事项',
        'ok.call-next': '已呼叫 {number}', 'ok.call': '已叫回 {number}', 'ok.recall': '已重呼 {number}',
        'ok.start': '{number} 开始办理', 'ok.finish': '{number} 已办结', 'ok.no-show': '{number} 已过号',
        'ok.hold': '{number} 已挂起', 'ok.transfer': '{number} 已转到 {to}',
        'ok.pause': '窗口已暂停', 'ok.resume': '窗口已恢复', 'ok.open': '窗口已开启', 'ok.close': '窗口已关闭',
        'nothing': '当前没有等候本窗口的号',
        'failed': '{action}失败：{why}',
        'e.window_busy': '窗口还有当前号 {cur}，请先办结、挂起或转移',
        'e.window_paused': '窗口已暂停，请先恢复（P）',
        'e.window_closed': '窗口已关闭，请先开启窗口',
        'e.no_current_ticket': '当前没有号',
        'e.illegal_transition': '当前号的状态（{state}）不允许这样做',
        'e.not_for_this_window': '这个号不由本窗口办理',
        'e.held_by_other_window': '这个号由其他窗口挂起',
        'e.grace_expired': '已超过过号保留时间，不能再叫回',
        'e.unknown_window': '没有这个窗口', 'e.unknown_matter': '没有这个事项',
        'e.unknown_ticket': '没有这个号',
        'e.forbidden': '此令牌无权操作{n}号窗口', 'e.unauthorized': '令牌无效，请重新登录',
        'e.busy': '系统繁忙，操作未执行，请重试',
        'e.storage_failed': '系统无法保存，操作未生效，请重试',
        'e.network': '网络中断，操作可能未送达，请看当前状态后重试',
        'e.other': '{message}',
        'fatal.nowindow': '请在地址中指定窗口，例如 /pad?token=令牌&window=3',
        'fatal.notoken': '缺少令牌：请用 /pad?token=令牌&window=3 打开',
        'fatal.unknown': '没有{n}号窗口', 'fatal.token': '令牌无效：请检查地址中的 token',
        'noshows': '过号（保留期内可叫回）', 'noshows.none': '没有可叫回的过号',
        'noshows.left': '过号于 {time}，还可叫回 {left}'
      },
      en: {
        'title': 'Window pad',
        'current': 'Current ticket', 'waiting': 'Waiting', 'held': 'Held tickets',
        'k.call-next': 'Call next', 'k.recall': 'Recall', 'k.start': 'Start', 'k.finish': 'Finish',
        'k.no-show': 'No-show', 'k.hold': 'Hold', 'k.transfer': 'Transfer', 'k.pause': 'Pause', 'k.resume': 'Resume',
        'k.open': 'Open window', 'k.close': 'Close window', 'k.call': 'Call back',
        'clerk': 'Clerk: {name}',
        'none': 'Idle — press Call next (N)', 'none.paused': 'Paused — press Resume (P) to call again',
        'none.closed': 'Window closed', 'held.none': 'No held tickets',
        'timer.called': 'called for', 'timer.serving': 'serving for',
        'issued': 'issued {time}, waited {wait}', 'recalls': 'recalled {n}×', 'transferred': 'transferred {n}×',
        'tier': 'Tier {n}', 'green': 'priority',
        'tr.title': 'Transfer {number}', 'tr.matter': 'To a matter (its queue)',
        'tr.window': 'To a window (called by that window only)', 'tr.cancel': 'Cancel', 'tr.current': 'current matter',
        'ok.call-next': 'Called {number}', 'ok.call': 'Called back {number}', 'ok.recall': 'Recalled {number}',
        'ok.start': 'Serving {number}', 'ok.finish': '{number} finished', 'ok.no-show': '{number} marked no-show',
        'ok.hold': '{number} on hold', 'ok.transfer': '{number} transferred to {to}',
        'ok.pause': 'Window paused', 'ok.resume': 'Window resumed', 'ok.open': 'Window opened', 'ok.close': 'Window closed',
        'nothing': 'Nobody is waiting for this window',
        'failed': '{action} failed: {why}',
        'e.window_busy': 'the window still has {cur}: finish, hold or transfer it first',
        'e.window_paused': 'the window is paused: resume it first (P)',
        'e.window_closed': 'the window is closed: open it first',
        'e.no_current_ticket': 'there is no current ticket',
        'e.illegal_transition': 'not allowed while the ticket is {state}',
        'e.not_for_this_window': 'this ticket is not served at this window',
        'e.held_by_other_window': 'another window holds this ticket',
        'e.grace_expired': 'the no-show grace period is over',
        'e.unknown_window': 'no such window', 'e.unknown_matter': 'no such matter',
        'e.unknown_ticket': 'no such ticket',
        'e.forbidden': 'this token may not act at window {n}', 'e.unauthorized': 'bad token',
        'e.busy': 'the system is busy, nothing was done: try again',
        'e.storage_failed': 'the system could not save it, nothing was done: try again',
        'e.network': 'network failure: check the current state and try again',
        'e.other': '{message}',
        'fatal.nowindow': 'Name the window in the address, e.g. /pad?token=TOKEN&window=3',
        'fatal.notoken': 'No token: open /pad?token=TOKEN&window=3',
        'fatal.unknown': 'There is no window {n}', 'fatal.token': 'Bad token: check the token in the address',
        'noshows': 'No-shows (can be called back)', 'noshows.none': 'No no-shows to call back',
        'noshows.left': 'missed at {time}, {left} left to call back'
      }
    },
    /* the ticket kiosk */
    kiosk: {
      zh: {
        'title': '取号', 'elder': '长辈模式',
        'home.title': '请选择办理领域', 'home.lead': '点击下方按钮取号',
        'matters.lead': '请选择要办理的事项', 'back': '返回',
        'green': '绿色通道', 'green.banner': '绿色通道：老年人、残疾人、孕妇、军人等优先办理',
        'appt': '预约签到', 'appt.title': '预约签到', 'appt.lead': '请输入预约码（8位）或身份证号码（18位）',
        'appt.go': '签到取号', 'appt.empty': '请先输入预约码或身份证号码',
        'appt.unavailable': '预约签到暂未开通。请返回首页直接选择事项取号，或到咨询台咨询。',
        'appt.unknown': '没有找到今天的这个预约。请核对预约码或身份证号码，或到咨询台咨询。',
        'appt.bad': '预约码有误：预约码是 8 位字母和数字，请核对后重新输入。',
        'appt.bad_id': '身份证号码应为 18 位，请核对后重新输入。',
        'appt.bad_check': '身份证号码有误（校验位不对），请逐位核对。',
        'appt.too_early': '还没到签到时间。请在 {when} 以后再来签到。',
        'appt.closed': '这个预约已签到、已取消或已过期，不能再签到。请直接选择事项取号。',
        'appt.wrong_day': '这个预约不是今天的（预约时间：{when}），请在预约当天来签到。',
        'appt.ok': '预约签到成功 · 预约时段 {span}',
        'appt.late': '已超过预约时间（{span}），已按普通号为您取号',
        'err.hall_closed': '大厅现在不办理业务。下次开放时间：{when}',
        'err.hall_closed.none': '大厅现在不办理业务。',
        'err.matter_closed': '该事项今天已停止取号：按现在的排队情况，轮到您之前窗口就下班了（{closes} 下班）。',
        'err.next_open': '下次可办理：{when}。',
        'm.closed': '今日已停止取号', 'm.near': '临近下班（{time}）',
        'confirm.text': '预计等候{wait}，办理这项业务的窗口 {closes} 下班。',
        'confirm.text0': '办理这项业务的窗口 {closes} 下班，快要停止取号了。',
        'confirm.ask': '仍要取号吗？', 'confirm.yes': '仍要取号', 'confirm.no': '不取了',
        'key.clear': '清除', 'key.back': '⌫',
        'ticket.label': '您的号码', 'ticket.ahead': '前面等候', 'ticket.eta': '预计等候',
        'ticket.qr': '扫码查看排队进度', 'ticket.done': '完成',
        'printed.ok': '已打印，请取走号票', 'printed.bad': '打印机故障，请拍照或记下号码',
        'countdown': '{s} 秒后返回首页',
        'prev': '上一页', 'next': '下一页',
        'domain.sub': '{n} 项事项', 'waiting': '等候 {n} 人', 'no.windows': '暂无窗口办理',
        'busy': '正在取号…',
        'err.network': '网络连接中断，请稍后再试，或到咨询台取号。',
        'err.busy': '系统繁忙，请稍后再试。',
        'err.token': '取号机未授权（令牌无效），请联系工作人员。',
        'err.notoken': '取号机未配置令牌（地址中缺少 ?token=），请联系工作人员。',
        'err.matter': '该事项暂不可办理，请到咨询台咨询。',
        'err.other': '取号失败（{code}），请到咨询台咨询。',
        'loading': '正在加载…', 'empty': '暂无可办理事项',
        /* 短信提醒: POST /api/tickets/ID/notify with the kiosk's token */
        'sms': '短信提醒', 'sms.title': '短信提醒', 'sms.for': '{number} 号',
        'sms.lead': '快轮到您、叫到您的号时，我们发短信告诉您，不用一直盯着屏幕。',
        'sms.phone': '手机号码（11 位）',
        'sms.consent': '我同意大厅用这个手机号码，只发送这张号的排队进度短信：快轮到我、叫到我的号、过号，以及办结后的评价邀请。号码不作他用，显示时部分隐藏，一段时间后删除。',
        'sms.go': '开启短信提醒', 'sms.sending': '正在开启短信提醒…',
        'sms.on': '短信提醒已开启 {phone}', 'sms.on.nophone': '短信提醒已开启（发到预约时填写的手机号码）',
        'sms.e.phone_empty': '请先输入手机号码。',
        'sms.e.phone': '手机号码有误：应为 13–19 开头的 11 位数字，请核对。',
        'sms.e.consent': '请先阅读并勾选同意，再开启短信提醒。',
        'sms.e.unavailable': '本大厅暂不提供短信提醒。请留意大厅叫号，或扫描号票上的二维码查看进度。',
        'sms.e.closed': '这张号已不能再开启短信提醒。',
        'sms.e.network': '网络连接中断，短信提醒没有开启，请稍后再试。',
        'sms.e.other': '短信提醒没有开启成功（{code}），请到咨询台咨询。'
      },
      en: {
        'title': 'Take a number', 'elder': 'Large text',
        'home.title': 'Choose a service area', 'home.lead': 'Tap to take a number',
        'matters.lead': 'Choose your matter', 'back': 'Back',
        'green': 'Priority lane', 'green.banner': 'Priority lane: seniors, people with disabilities, pregnant women, service members',
        'appt': 'Appointment check-in', 'appt.title': 'Appointment check-in', 'appt.lead': 'Enter your booking code (8 characters) or ID card number (18)',
        'appt.go': 'Check in', 'appt.empty': 'Please enter your booking code or ID card number first',
        'appt.unavailable': 'Appointment check-in is not available yet. Please take a number for your matter, or ask at the information desk.',
        'appt.unknown': 'No appointment today with this code or ID number. Please check it, or ask at the information desk.',
        'appt.bad': 'This code is not valid: a booking code has 8 letters and digits. Please check it and try again.',
        'appt.bad_id': 'An ID card number has 18 characters. Please check it and try again.',
        'appt.bad_check': 'This ID card number is not valid (its check digit does not match). Please check each digit.',
        'appt.too_early': 'It is too early to check in. Please come back after {when}.',
        'appt.closed': 'This appointment was already checked in, cancelled or missed. Please take a number for your matter.',
        'appt.wrong_day': 'This appointment is not for today ({when}). Please check in on that day.',
        'appt.ok': 'Checked in · appointment {span}',
        'appt.late': 'You are past your appointment ({span}): you have an ordinary number',
        'err.hall_closed': 'The hall is closed now. It opens again {when}.',
        'err.hall_closed.none': 'The hall is closed now.',
        'err.matter_closed': 'No more numbers today for this matter: its windows close at {closes}, before your turn would come.',
        'err.next_open': 'Next possible: {when}.',
        'm.closed': 'no more numbers today', 'm.near': 'closing soon ({time})',
        'confirm.text': 'Estimated wait: {wait}. The windows for this matter close at {closes}.',
        'confirm.text0': 'The windows for this matter close at {closes}: numbers stop soon.',
        'confirm.ask': 'Take a number anyway?', 'confirm.yes': 'Yes, take a number', 'confirm.no': 'No, thanks',
        'key.clear': 'Clear', 'key.back': '⌫',
        'ticket.label': 'Your number', 'ticket.ahead': 'Ahead of you', 'ticket.eta': 'Estimated wait',
        'ticket.qr': 'Scan to follow your place in the queue', 'ticket.done': 'Done',
        'printed.ok': 'Printed — please take your ticket', 'printed.bad': 'Printer fault — please take a photo or write down your number',
        'countdown': 'Back to the start in {s} s',
        'prev': 'Previous', 'next': 'Next',
        'domain.sub': '{n} matters', 'waiting': '{n} waiting', 'no.windows': 'no window open',
        'busy': 'Taking a number…',
        'err.network': 'Network failure. Please try again shortly, or ask at the information desk.',
        'err.busy': 'The system is busy. Please try again.',
        'err.token': 'This kiosk is not authorised (bad token). Please call staff.',
        'err.notoken': 'This kiosk has no token (?token= missing). Please call staff.',
        'err.matter': 'This matter cannot be taken now. Please ask at the information desk.',
        'err.other': 'Could not take a number ({code}). Please ask at the information desk.',
        'loading': 'Loading…', 'empty': 'No matters available',
        'sms': 'SMS reminder', 'sms.title': 'SMS reminder', 'sms.for': 'Number {number}',
        'sms.lead': 'We text you when your turn is near and when you are called to a window: no need to watch the screens.',
        'sms.phone': 'Mobile number (11 digits)',
        'sms.consent': 'I agree that the hall texts this number about this ticket only: my turn is near, it is called, I missed it, and a request to rate the service. Nothing else; the number is shown partly hidden and deleted after a while.',
        'sms.go': 'Turn on SMS reminder', 'sms.sending': 'Turning on SMS reminder…',
        'sms.on': 'SMS reminder is on: {phone}', 'sms.on.nophone': 'SMS reminder is on (to the mobile number of your booking)',
        'sms.e.phone_empty': 'Please enter your mobile number first.',
        'sms.e.phone': 'Not a mobile number: 11 digits, starting 13 to 19. Please check it.',
        'sms.e.consent': 'Please read and tick the agreement first.',
        'sms.e.unavailable': 'This hall sends no text messages. Please watch the hall\'s calls, or scan the QR code of your ticket.',
        'sms.e.closed': 'SMS reminders can no longer be turned on for this ticket.',
        'sms.e.network': 'Network failure: the SMS reminder was not turned on. Please try again shortly.',
        'sms.e.other': 'The SMS reminder was not turned on ({code}). Please ask at the information desk.'
      }
    },
    /* a ticket's own status page */
    status: {
      zh: {
        'title': '排队进度', 'number': '您的号码',
        'ahead': '前面等候', 'eta': '预计等候', 'loading': '正在查询…',
        'err.network': '网络连接中断，正在重试…',
        'err.token': '这个链接无效：号票的凭证不对或已失效。请重新扫描号票上的二维码。',
        'err.notoken': '链接不完整（缺少凭证）。请重新扫描号票上的二维码。',
        'err.ticket': '没有找到这张号。请重新扫描号票上的二维码。',
        'err.other': '暂时无法查询（{code}），请稍后再试。',
        'hint.waiting': '请留意大厅叫号，本页会自动刷新。',
        'hint.called': '请尽快前往窗口办理。',
        'hint.serving': '正在为您办理。',
        'hint.held': '您的号已挂起，请留意窗口再次叫号。',
        'hint.done': '办理完成，感谢您的耐心等候。',
        'hint.no_show': '您已过号。请尽快到窗口或咨询台说明。',
        'hint.cancelled': '这张号已取消。',
        'hint.expired': '这张号已过期（非当天的号）。',
        'serving.at': '正在{w}号窗口办理', 'held.at': '{w}号窗口已挂起您的号',
        'updated': '更新于 {time}',
        /* 到号短信提醒: POST /api/tickets/ID/notify */
        'sms.title': '到号短信提醒',
        'sms.lead': '快轮到您、叫到您的号时，我们发短信告诉您，不用一直盯着屏幕。',
        'sms.phone': '手机号码',
        'sms.consent': '我同意大厅用这个手机号码给我发送这张号的短信（快到号、叫号、过号和办结后的评价邀请），不作他用。号码显示时部分隐藏，并在规定期限后删除。',
        'sms.on.btn': '开启短信提醒', 'sms.off.btn': '关闭短信提醒',
        'sms.on': '短信提醒已开启，将发送到 {phone}。',
        'sms.on.booking': '短信提醒已开启，将发送到预约时填写的手机号码。',
        'sms.off': '短信提醒已关闭。',
        'sms.sending': '请稍候…',
        'sms.e.phone_empty': '请填写手机号码。', 'sms.e.phone': '手机号码有误：请填写 11 位手机号码。',
        'sms.e.consent': '请阅读并勾选同意后再开启。',
        'sms.e.closed': '这张号已不能再开启或关闭短信提醒。',
        'sms.e.network': '网络连接中断，请稍后再试。',
        'sms.e.other': '操作没有成功（{code}），请稍后再试。',
        'sms.none': '本大厅暂不提供短信提醒，请留意本页和大厅叫号。'
      },
      en: {
        'title': 'Your place in the queue', 'number': 'Your number',
        'ahead': 'Ahead of you', 'eta': 'Estimated wait', 'loading': 'Loading…',
        'err.network': 'Network connection lost, retrying…',
        'err.token': 'This link is not valid: the ticket\'s code is wrong or has expired. Please scan the QR code on your ticket again.',
        'err.notoken': 'This link is incomplete (no code). Please scan the QR code on your ticket again.',
        'err.ticket': 'No such ticket. Please scan the QR code on your ticket again.',
        'err.other': 'Cannot look this up right now ({code}). Please try again later.',
        'hint.waiting': 'Watch the hall\'s boards; this page updates by itself.',
        'hint.called': 'Please go to the window now.',
        'hint.serving': 'You are being served.',
        'hint.held': 'Your ticket is on hold; watch for the window to call it again.',
        'hint.done': 'Done. Thank you for your patience.',
        'hint.no_show': 'Your number was missed. Please go to the window or the information desk.',
        'hint.cancelled': 'This ticket was cancelled.',
        'hint.expired': 'This ticket has expired (it was for another day).',
        'serving.at': 'being served at window {w}', 'held.at': 'on hold at window {w}',
        'updated': 'updated {time}',
        'sms.title': 'SMS me when my number is near',
        'sms.lead': 'We text you when your turn is near and when your number is called: no need to watch the screens.',
        'sms.phone': 'Mobile number',
        'sms.consent': 'I agree that the hall texts this number about this ticket only (turn near, called, missed, and an invitation to rate the service) and uses it for nothing else. The number is always shown partly hidden and deleted after a set time.',
        'sms.on.btn': 'Text me', 'sms.off.btn': 'Stop the texts',
        'sms.on': 'Text reminders are on, to {phone}.',
        'sms.on.booking': 'Text reminders are on, to the mobile number of your booking.',
        'sms.off': 'Text reminders are off.',
        'sms.sending': 'Please wait…',
        'sms.e.phone_empty': 'Please enter your mobile number.', 'sms.e.phone': 'This mobile number is not valid: 11 digits, starting with 1.',
        'sms.e.consent': 'Please read and tick the agreement first.',
        'sms.e.closed': 'Text reminders can no longer be changed for this ticket.',
        'sms.e.network': 'Network failure. Please try again shortly.',
        'sms.e.other': 'That did not work ({code}). Please try again later.',
        'sms.none': 'This hall sends no text messages: watch this page and the hall\'s calls.'
      }
    },
    /* the public booking page (/book, book.js) */
    book: {
      zh: {
        'title': '预约办事', 'loading': '正在加载…', 'back': '上一步', 'busy': '请稍候…',
        'step.matter': '事项', 'step.day': '日期', 'step.slot': '时段', 'step.form': '信息',
        'matter.title': '请选择办理事项', 'matter.walkin': '不预约也可以直接到大厅取号办理。',
        'matter.none': '目前没有可以预约的事项，请直接到大厅取号办理。',
        'mine': '您有一个预约（{code}），点此查看',
        'day.title': '请选择日期', 'day.none': '近期没有可预约的时段，请直接到大厅取号办理。',
        'day.free': '可约 {n} 人', 'day.full': '已约满',
        'slot.title': '请选择时段', 'slot.none': '这一天没有可预约的时段。',
        'slot.free': '剩余 {n}', 'slot.full': '已约满', 'slot.blocked': '暂停预约', 'slot.current': '当前预约',
        'form.title': '填写预约信息', 'form.phone': '手机号码', 'form.id': '身份证号码',
        'form.name': '姓名', 'form.optional': '（选填）',
        'form.consent': '我同意为本次预约提供手机号码和身份证号码。这些信息只用于预约和签到，显示时均部分隐藏，并在规定期限后删除。',
        'form.sms': '短信提醒（预约确认、前一天和开始前1小时提醒）',
        'form.sms.note': '选填。勾选即同意用上面的手机号码接收这次预约的短信；签到后还会收到叫号等短信。',
        'form.submit': '提交预约',
        'form.e.phone_empty': '请填写手机号码。', 'form.e.phone': '手机号码有误：请填写 11 位手机号码。',
        'form.e.id_empty': '请填写身份证号码。', 'form.e.id': '身份证号码有误：应为 18 位，最后一位可以是数字或 X。',
        'form.e.id_check': '身份证号码有误：校验位不对，请逐位核对。',
        'form.e.name': '姓名太长了。', 'form.e.consent': '请阅读并勾选同意后再提交。',
        'b.code': '预约码', 'b.matter': '办理事项', 'b.time': '预约时段', 'b.phone': '手机号码',
        'b.id': '身份证号', 'b.name': '姓名',
        'b.booked': '预约成功！请记下预约码。', 'b.cancelled': '预约已取消。', 'b.rescheduled': '已改约到新的时段。',
        'b.how': '请在 {from}–{to} 到大厅取号机点“预约签到”，输入预约码或身份证号码取号。',
        'b.how.in': '已签到取号。', 'b.how.late': '已签到，因迟到按普通号排队。',
        'b.how.no_show': '预约时段已过，未签到（失约）。', 'b.how.cancelled': '这个预约已取消，名额已释放。',
        'b.qr': '请截图保存本页，或扫码随时查看、改约、取消预约。',
        'b.reschedule': '改约时间', 'b.cancel': '取消预约', 'b.cancel.sure': '确认取消这个预约？',
        'b.new': '预约其他事项',
        'resched.title': '为预约 {code} 选择新的时段',
        'st.booked': '已预约', 'st.checked_in': '已签到', 'st.cancelled': '已取消', 'st.no_show': '已失约',
        'e.network': '网络连接中断，请稍后再试。', 'e.busy': '系统繁忙，请稍后再试。',
        'e.too_many_requests': '操作太频繁，请一分钟后再试。',
        'e.slot_full': '这个时段刚刚约满了，请另选一个时段。',
        'e.slot_blocked': '这个时段已暂停预约，请另选一个时段。',
        'e.already_booked': '您已经预约了这个时段，无需重复预约。',
        'e.too_many_appointments': '您在这一天的预约已达上限。如需换时间，请先改约或取消原来的预约。',
        'e.booking_suspended': '因多次预约后未到，您的预约功能已暂停至 {until}。您仍可直接到大厅取号办理。',
        'e.bad_phone': '手机号码有误：请填写 11 位手机号码。',
        'e.bad_id_number': '身份证号码有误，请核对。',
        'e.too_soon': '这个时段已来不及预约（至少需提前 {min} 分钟），请另选一个时段。',
        'e.not_a_slot': '这个时段已不能预约，请重新选择。',
        'e.outside_horizon': '这个日期不在可预约的范围内，请重新选择。',
        'e.not_bookable': '这个事项不需要预约，请直接到大厅取号办理。',
        'e.unknown_matter': '没有这个事项，请重新选择。',
        'e.unknown_appointment': '没有找到这个预约：链接或预约码不对，或预约信息已删除。',
        'e.appointment_closed': '这个预约已取消、已签到或已失约，不能再修改。',
        'e.bad_request': '提交的信息有误，请检查后重试。',
        'e.other': '操作没有成功（{code}），请稍后再试。'
      },
      en: {
        'title': 'Book an appointment', 'loading': 'Loading…', 'back': 'Back', 'busy': 'Please wait…',
        'step.matter': 'Matter', 'step.day': 'Day', 'step.slot': 'Time', 'step.form': 'Details',
        'matter.title': 'Choose your matter', 'matter.walkin': 'You may also come without an appointment and take a number in the hall.',
        'matter.none': 'Nothing can be booked right now. Please come to the hall and take a number.',
        'mine': 'You have a booking ({code}): open it',
        'day.title': 'Choose a day', 'day.none': 'No times can be booked soon. Please come to the hall and take a number.',
        'day.free': '{n} places left', 'day.full': 'fully booked',
        'slot.title': 'Choose a time', 'slot.none': 'No times can be booked on this day.',
        'slot.free': '{n} left', 'slot.full': 'full', 'slot.blocked': 'not bookable', 'slot.current': 'your booking',
        'form.title': 'Your details', 'form.phone': 'Mobile number', 'form.id': 'ID card number',
        'form.name': 'Name', 'form.optional': '(optional)',
        'form.consent': 'I agree to give my mobile and ID card numbers for this booking. They are used only for booking and check-in, always shown partly hidden, and deleted after a set time.',
        'form.sms': 'SMS reminders (booking confirmed, the day before and 1 hour before)',
        'form.sms.note': 'Optional. Ticking it lets the hall text the mobile number above about this booking; after check-in, also when you are called.',
        'form.submit': 'Book',
        'form.e.phone_empty': 'Please enter your mobile number.', 'form.e.phone': 'This mobile number is not valid: 11 digits, starting with 1.',
        'form.e.id_empty': 'Please enter your ID card number.', 'form.e.id': 'This ID card number is not valid: 18 characters, the last a digit or X.',
        'form.e.id_check': 'This ID card number is not valid: its check digit does not match. Please check each digit.',
        'form.e.name': 'The name is too long.', 'form.e.consent': 'Please read and tick the agreement first.',
        'b.code': 'Booking code', 'b.matter': 'Matter', 'b.time': 'Time', 'b.phone': 'Mobile',
        'b.id': 'ID number', 'b.name': 'Name',
        'b.booked': 'Booked! Please keep your booking code.', 'b.cancelled': 'Your booking was cancelled.',
        'b.rescheduled': 'Your booking was moved to the new time.',
        'b.how': 'Between {from} and {to}, tap "Appointment check-in" at a kiosk in the hall and enter this code or your ID card number.',
        'b.how.in': 'Checked in: your number was issued.', 'b.how.late': 'Checked in late: queued as an ordinary number.',
        'b.how.no_show': 'The time has passed without check-in (missed).', 'b.how.cancelled': 'This booking was cancelled; its place is free again.',
        'b.qr': 'Keep a screenshot of this page, or scan the code to view, move or cancel the booking at any time.',
        'b.reschedule': 'Change the time', 'b.cancel': 'Cancel booking', 'b.cancel.sure': 'Really cancel this booking?',
        'b.new': 'Book another matter',
        'resched.title': 'A new time for booking {code}',
        'st.booked': 'booked', 'st.checked_in': 'checked in', 'st.cancelled': 'cancelled', 'st.no_show': 'missed',
        'e.network': 'Network failure. Please try again shortly.', 'e.busy': 'The system is busy. Please try again.',
        'e.too_many_requests': 'Too many attempts. Please try again in a minute.',
        'e.slot_full': 'This time has just been fully booked. Please choose another.',
        'e.slot_blocked': 'This time is no longer open for booking. Please choose another.',
        'e.already_booked': 'You have already booked this time.',
        'e.too_many_appointments': 'You already hold as many bookings as allowed on this day. Move or cancel one first.',
        'e.booking_suspended': 'After several missed bookings, booking is suspended for you until {until}. You can still come to the hall and take a number.',
        'e.bad_phone': 'This mobile number is not valid: 11 digits, starting with 1.',
        'e.bad_id_number': 'This ID card number is not valid. Please check it.',
        'e.too_soon': 'This time is too soon to book (at least {min} minutes ahead). Please choose another.',
        'e.not_a_slot': 'This time cannot be booked any more. Please choose again.',
        'e.outside_horizon': 'This day cannot be booked. Please choose again.',
        'e.not_bookable': 'This matter needs no appointment: come to the hall and take a number.',
        'e.unknown_matter': 'No such matter. Please choose again.',
        'e.unknown_appointment': 'No such booking: the link or code is wrong, or the booking was deleted.',
        'e.appointment_closed': 'This booking was cancelled, checked in or missed: it cannot be changed.',
        'e.bad_request': 'Something in the form is not right. Please check and try again.',
        'e.other': 'That did not work ({code}). Please try again later.'
      }
    },
    /* the hall's live waiting for phones (/q, q.js) */
    q: {
      zh: {
        'title': '排队情况', 'loading': '正在加载…',
        'hall.open': '大厅开放中', 'hall.closed': '大厅已闭厅',
        'hall.next': '下次开放：{when}', 'hall.next.none': '近期没有开放安排',
        'total': '现在共 {n} 人等候',
        'updated': '更新于 {time}，每 {s} 秒自动刷新',
        'stale': '网络中断，显示的是 {time} 的情况，正在重试…',
        'book': '网上预约办事', 'book.lead': '预约后按时到大厅签到，少排队。',
        'm.unit': '人等候', 'm.eta': '预计等候',
        'm.windows': '{n}个窗口办理', 'm.windows1': '1个窗口办理',
        'm.not_accepting': '今日已停止取号', 'm.hall_closed': '闭厅中',
        'm.book': '预约',
        'empty': '暂无办理事项。',
        'note': '等候时间是按当前排队估算的，仅供参考；以现场叫号为准。',
        'e.network': '网络连接中断，正在重试…', 'e.other': '暂时无法查询（{code}），正在重试…'
      },
      en: {
        'title': 'Live waiting', 'loading': 'Loading…',
        'hall.open': 'The hall is open', 'hall.closed': 'The hall is closed',
        'hall.next': 'Opens {when}', 'hall.next.none': 'No opening planned soon',
        'total': '{n} waiting now',
        'updated': 'Updated {time}, every {s} s',
        'stale': 'Network lost: figures as of {time}, retrying…',
        'book': 'Book an appointment', 'book.lead': 'Book a time, check in at the hall, wait less.',
        'm.unit': 'waiting', 'm.eta': 'Est. wait',
        'm.windows': '{n} windows serving', 'm.windows1': '1 window serving',
        'm.not_accepting': 'no more numbers today', 'm.hall_closed': 'hall closed',
        'm.book': 'Book',
        'empty': 'No matters.',
        'note': 'Waits are estimates from the queue as it is now; the hall\'s calls decide.',
        'e.network': 'Network connection lost, retrying…', 'e.other': 'Not available right now ({code}), retrying…'
      }
    },
    /* the manager's dashboard */
    dashboard: {
      zh: {
        'title': '管理看板',
        'token.label': '管理令牌', 'token.bad': '令牌无效，请重新输入。',
        'role.needed': '此页需要管理员（manager）令牌：今日统计、设备和窗口操作都不可用。',
        'kpis.title': '今日',
        'kpi.issued': '今日取号', 'kpi.served': '已办结', 'kpi.no_shows': '过号',
        'kpi.waiting': '正在等候', 'kpi.mean_wait': '平均等候', 'kpi.p90_wait': '90%分位等候',
        'kpi.ratings': '评价数', 'kpi.rating_mean': '平均评分',
        'kpi.cancelled': '取消', 'kpi.not_rated': '未评价', 'kpi.of_served': '办结率',
        'stats.refresh': '刷新', 'stats.at': '统计于', 'stats.failed': '统计读取失败',
        'windows.title': '窗口', 'windows.sum': '开放 {open} · 暂停 {paused} · 关闭 {closed} · 在办 {busy}',
        't.idle': '空闲', 't.paused': '已暂停',
        't.closed': '未开放', 'clerk': '办理人', 'clerk.none': '—',
        'role.clerk': '窗口人员', 'role.manager': '管理员', 'role.admin': '系统管理员',
        'tier': '第{n}层', 'tier.short': '{n}层', 'waiting.for': '等候本窗口',
        'act.open': '开放', 'act.pause': '暂停', 'act.resume': '恢复', 'act.close': '关闭',
        'act.tiers': '层级…',
        'alerts.title': '告警', 'alerts.none': '暂无告警',
        'alert.matter_late': '{code} {name}：最久已等 {oldest}，超过目标 {target} 分钟（{waiting} 人等候）',
        'alert.window_paused': '{name} 已暂停 {paused}',
        'alert.device_down': '设备 {device} 离线{reason}',
        'devices.none': '未配置外接设备', 'devices.sum': '设备 {up}/{all} 在线',
        'devices.failed': '设备状态读取失败',
        'load.title': '大厅负荷', 'load.matter': '领域 / 事项', 'load.waiting': '等候',
        'load.oldest': '最久等候', 'load.target': '目标', 'load.eta': '预计等候',
        'load.windows': '服务窗口', 'load.empty': '暂无事项',
        'no.window': '暂无窗口办理',
        'chart.title': '今日走势（每 10 分钟）', 'chart.waiting': '等候人数',
        'chart.mean': '平均等候（分钟）', 'chart.time': '时间',
        'chart.missing': '图表组件（web/vendor/uPlot）缺失：请运行 make。',
        'chart.dropped': '只画等候最多的 {max} 个事项，另有 {n} 个未画出',
        'tiers.title': '{name}：服务层级', 'tiers.matter': '事项', 'tiers.none': '不办理',
        'tiers.add': '添加一层', 'tiers.remove': '删除末层', 'tiers.cancel': '取消',
        'tiers.save': '保存', 'tiers.empty': '至少给一个事项选择层级。',
        'tiers.saved': '{name} 的服务层级已更新',
        'tiers.help': '每个事项选一个层级：先叫第 1 层的号，第 1 层无人等候时再叫第 2 层，依此类推。各层的号类与溢出时间沿用配置；修改当天有效。',
        'err.window_busy': '该窗口还有当前票号：先办结、挂起或转移，再关闭。',
        'err.forbidden': '此令牌无权执行该操作。', 'err.unauthorized': '令牌无效。',
        'err.network': '无法连接服务器。', 'err.generic': '操作失败',
        'loading': '正在读取…',
        'hours.title': '今日作息', 'hours.working': '工作日', 'hours.holiday': '节假日（闭厅）',
        'hours.makeup': '调休上班日', 'hours.off': '休息日',
        'hours.open': '营业中', 'hours.open_until': '营业中，{time} 结束本时段',
        'hours.closed': '未营业', 'hours.closed_until': '未营业，{when} 开放',
        'hours.not_enforced': '作息未启用（hallqd -a）：只显示，不按时开关窗口，全天可取号。',
        'hours.hall': '大厅', 'hours.windows': '窗口 {list}', 'hours.same': '（同大厅）',
        'hours.none': '不开放', 'hours.failed': '作息读取失败',
        'appts.title': '今日预约', 'appts.sum': '预约 {all} · 已签到 {in} · 待签到 {booked} · 失约 {ns}',
        'appts.slot': '事项 / 时段', 'appts.capacity': '名额', 'appts.booked': '待签到',
        'appts.checked_in': '已签到', 'appts.no_show': '失约',
        'appts.block': '停约', 'appts.unblock': '恢复', 'appts.blocked': '已停约', 'appts.blocked_day': '全天停约',
        'appts.block_slot': '停约该时段', 'appts.block_day': '全天停约', 'appts.unblock_day': '全天恢复',
        'appts.all': '全部事项', 'appts.none': '今天还没有预约，也没有停约的时段',
        'appts.done.block': '已停约（已有的 {n} 个预约保留）', 'appts.done.unblock': '已恢复预约',
        'appts.failed': '预约读取失败', 'appts.unavailable': '未启用预约',
        'err.not_a_slot': '这个时间不是该事项的预约时段，不能停约。', 'err.not_bookable': '这个事项不接受预约。',
        /* issue 15: the manager's other pages, and overdue 差评 cases */
        'nav.reports': '今日报表', 'nav.cases': '差评工单',
        'alert.cases_overdue': '{n} 件差评工单已超过整改期限',
        /* issue 16: the uplink to the city platform (GET /api/uplink) */
        'uplink.title': '上报', 'uplink.off': '未配置', 'uplink.connected': '已连接', 'uplink.away': '中断',
        'uplink.since': '{time} 起', 'uplink.acked': '已确认 #{acked}', 'uplink.backlog': '积压 {n} 条',
        'uplink.errors': '错误 {n} 次', 'uplink.colon': '：', 'uplink.stale': '读取失败，显示上次状态',
        'uplink.failed': '上报状态读取失败', 'uplink.hint': '上报市平台（MQTT）',
        'alert.uplink_away': '上报中断（{since} 起）', 'alert.uplink_away.now': '上报中断',
        'alert.uplink_backlog': '上报积压 {n} 条',
        /* issue 17: 窗口配置建议 (GET /api/staffing) and 窗口动态调整 (GET /api/advice) */
        'staffing.title': '窗口配置建议',
        'staffing.source.history': '依据：近 {n} 个同星期日的取号',
        'staffing.source.forecast': '依据：到达预测（尚无历史）', 'staffing.source.none': '没有到达预测',
        'staffing.target': '目标：{pct}% 在 {min} 分钟内叫号', 'staffing.offday': '今天不是工作日',
        'staffing.hour': '时段', 'staffing.rec': '建议窗口', 'staffing.rec.checked': '建议（仿真核验）',
        'staffing.open': '开放窗口', 'staffing.gap': '缺口', 'staffing.now': '现在',
        'staffing.short': '{n} 个时段建议多于开放', 'staffing.ok': '各时段开放窗口足够',
        'staffing.failed': '配置建议读取失败', 'staffing.empty': '今天没有到达，也没有开放的窗口',
        'advice.title': '窗口动态调整', 'advice.none': '各事项等候都在目标之内',
        'advice.late.n': '{n} 个事项超时', 'advice.at': '更新于 {time}',
        'advice.matter': '超时事项', 'advice.waiting': '等候', 'advice.oldest': '最久等候',
        'advice.projected': '预计平均等候 / 目标', 'advice.proj': '约 {proj} / {target} 分钟',
        'advice.open': '开放 {window}', 'advice.resume': '恢复 {window}',
        'advice.tiers': '让 {window} 优先办理 {matter}', 'advice.other_action': '{window}：{action}',
        'advice.effect': '{matter} 平均等候 约 {before} 分钟 → {after} 分钟',
        'advice.other': '{matter} 约 {before} → {after} 分钟', 'advice.others': '其他事项：',
        'advice.others.more': '等另 {n} 项', 'advice.adopt': '采纳', 'advice.adopted': '已采纳：{what}',
        'advice.no_moves': '暂无可行的调整建议', 'advice.failed': '调整建议读取失败',
        'advice.adopt_failed': '未能采纳“{what}”：{why}',
        'auto.title': '高峰应急自动调整', 'auto.max': '最多窗口数', 'auto.gain': '至少节省（分钟）',
        'auto.hold': '每次保持（分钟）', 'auto.save': '保存范围',
        'auto.on.state': '已开启：每分钟把超时事项交给一个开放窗口优先办理（不开窗、不恢复窗口）；关闭时全部撤回',
        'auto.off.state': '未开启', 'auto.active': '{window} 优先办理 {matter}，至 {until}',
        'auto.none': '目前没有自动调整', 'auto.turned_on': '高峰应急自动调整已开启',
        'auto.turned_off': '自动调整已关闭：{n} 项调整已撤回，窗口恢复原来的层级',
        'auto.turned_off0': '自动调整已关闭，没有需要撤回的调整', 'auto.saved': '自动调整的范围已保存',
        'auto.bad': '{field} 应为 {min}–{max} 的整数',
        'err.window_closed': '该窗口已关闭。', 'err.window_paused': '该窗口已暂停。',
        'err.illegal_transition': '窗口当前的状态不允许这样做（可能已经调整过）。',
        'err.bad_tiers': '层级设置无效。', 'err.hall_closed': '大厅未营业。',
        'err.unknown_window': '没有这个窗口。', 'err.bad_request': '请求无效。',
        /* issue 18: 操作记录 (GET /api/audit, then the audit events) */
        'audit.title': '操作记录', 'audit.older': '更早', 'audit.none': '还没有操作记录',
        'audit.failed': '操作记录读取失败', 'audit.end': '没有更早的记录',
        'audit.unavailable': '操作记录不可用（{status}）',
        'op.open': '开放', 'op.close': '关闭', 'op.pause': '暂停', 'op.resume': '恢复',
        'op.call-next': '叫号', 'op.call': '叫回', 'op.recall': '重呼', 'op.start': '开始办理',
        'op.finish': '办结', 'op.no-show': '过号', 'op.hold': '挂起', 'op.transfer': '转移',
        'op.tiers': '调整服务层级', 'op.cancel': '取消号', 'op.issue': '取号',
        'op.case-step': '办理工单', 'op.case-new': '登记办不成事', 'op.block': '停约', 'op.unblock': '恢复预约',
        'op.book': '代为预约', 'op.unbook': '取消预约', 'op.reschedule': '改约',
        'op.advice-auto': '设置高峰应急自动调整', 'op.learn': '学习遥控器',
        'op.config': '修改配置', 'op.reload': '重新载入配置',
        'audit.ticket': '{number}', 'audit.ticket_id': '#{id}', 'audit.case': '工单 #{id}',
        'audit.at_window': '{window} {op} {ticket}',
        'audit.to': '转到 {to}', 'audit.tiers': '第{n}层 {codes}', 'audit.sep': '；',
        'audit.day': '{day} 全天', 'audit.all_matters': '全部事项', 'audit.changed': '{keys}',
        'audit.on': '开启', 'audit.off': '关闭', 'audit.status': '状态 {status}',
        'audit.founded.yes': '属实', 'audit.founded.no': '不属实', 'audit.upheld.yes': '申诉成立', 'audit.upheld.no': '申诉不成立',
        'audit.act.verify': '核实', 'audit.act.rectify': '整改', 'audit.act.revisit': '回访', 'audit.act.close': '办结',
        'audit.act.appeal': '申诉', 'audit.act.review': '申诉复核',
        'audit.outcome': '结果 {outcome}', 'audit.class.green': '绿色通道', 'audit.remote': '遥控器绑定到 {window}',
        'audit.sighup': '系统（SIGHUP）',
        'audit.key.matters': '事项', 'audit.key.windows': '窗口', 'audit.key.hours': '作息', 'audit.key.calendar': '日历',
        'audit.key.classes': '号类', 'audit.key.tokens': '令牌', 'audit.key.domains': '领域', 'audit.key.devices': '设备',
        'audit.key.appointments': '预约', 'audit.key.notify': '短信', 'audit.key.uplink': '上报',
        'audit.key.staffing': '窗口配置', 'audit.key.hall': '大厅'
      },
      en: {
        'title': 'Manager dashboard',
        'token.label': 'Manager token', 'token.bad': 'The token was refused; enter another.',
        'role.needed': 'This page needs a manager token: today\'s figures, devices and window controls are not available.',
        'kpis.title': 'Today',
        'kpi.issued': 'Issued today', 'kpi.served': 'Served', 'kpi.no_shows': 'No-shows',
        'kpi.waiting': 'Waiting now', 'kpi.mean_wait': 'Mean wait', 'kpi.p90_wait': 'P90 wait',
        'kpi.ratings': 'Ratings', 'kpi.rating_mean': 'Mean rating',
        'kpi.cancelled': 'cancelled', 'kpi.not_rated': 'not rated', 'kpi.of_served': 'served',
        'stats.refresh': 'Refresh', 'stats.at': 'as of', 'stats.failed': 'figures not available',
        'windows.title': 'Windows', 'windows.sum': 'open {open} · paused {paused} · closed {closed} · busy {busy}',
        't.idle': 'idle', 't.paused': 'paused',
        't.closed': 'closed', 'clerk': 'Clerk', 'clerk.none': '—',
        'role.clerk': 'clerk', 'role.manager': 'manager', 'role.admin': 'admin',
        'tier': 'Tier {n}', 'tier.short': 'T{n}', 'waiting.for': 'waiting for it',
        'act.open': 'Open', 'act.pause': 'Pause', 'act.resume': 'Resume', 'act.close': 'Close',
        'act.tiers': 'Tiers…',
        'alerts.title': 'Alerts', 'alerts.none': 'No alerts',
        'alert.matter_late': '{code} {name}: oldest wait {oldest}, past its {target} min target ({waiting} waiting)',
        'alert.window_paused': '{name} paused for {paused}',
        'alert.device_down': 'Device {device} is down{reason}',
        'devices.none': 'No devices configured', 'devices.sum': 'devices {up}/{all} up',
        'devices.failed': 'device status not available',
        'load.title': 'Hall load', 'load.matter': 'Domain / matter', 'load.waiting': 'Waiting',
        'load.oldest': 'Oldest wait', 'load.target': 'Target', 'load.eta': 'Est. wait',
        'load.windows': 'Windows', 'load.empty': 'No matters',
        'no.window': 'no window open',
        'chart.title': 'Today (10-minute buckets)', 'chart.waiting': 'Waiting',
        'chart.mean': 'Mean wait (minutes)', 'chart.time': 'Time',
        'chart.missing': 'The chart library (web/vendor/uPlot) is missing: run make.',
        'chart.dropped': 'only the {max} busiest matters are drawn; {n} more are not',
        'tiers.title': '{name}: tiers', 'tiers.matter': 'Matter', 'tiers.none': 'None',
        'tiers.add': 'Add a tier', 'tiers.remove': 'Remove last tier', 'tiers.cancel': 'Cancel',
        'tiers.save': 'Save', 'tiers.empty': 'Put at least one matter in a tier.',
        'tiers.saved': 'Tiers of {name} changed',
        'tiers.help': 'Choose one tier per matter: the window calls tier 1 first, tier 2 when tier 1 has nobody waiting, and so on. Each tier keeps the classes and overflow time of the configuration; the change holds for today.',
        'err.window_busy': 'The window still has a ticket: finish, hold or transfer it before closing.',
        'err.forbidden': 'This token may not do that.', 'err.unauthorized': 'The token was refused.',
        'err.network': 'The server cannot be reached.', 'err.generic': 'Failed',
        'loading': 'Loading…',
        'hours.title': 'Today\'s hours', 'hours.working': 'working day', 'hours.holiday': 'holiday (closed)',
        'hours.makeup': 'make-up working day', 'hours.off': 'day off',
        'hours.open': 'open', 'hours.open_until': 'open until {time}',
        'hours.closed': 'closed', 'hours.closed_until': 'closed, opens {when}',
        'hours.not_enforced': 'Hours not enforced (hallqd -a): shown only; windows are not opened or closed by the clock, numbers are issued at any hour.',
        'hours.hall': 'Hall', 'hours.windows': 'Windows {list}', 'hours.same': '(as the hall)',
        'hours.none': 'closed', 'hours.failed': 'hours not available',
        'appts.title': 'Today\'s appointments', 'appts.sum': '{all} booked · {in} checked in · {booked} to come · {ns} missed',
        'appts.slot': 'Matter / time', 'appts.capacity': 'Places', 'appts.booked': 'To come',
        'appts.checked_in': 'Checked in', 'appts.no_show': 'Missed',
        'appts.block': 'Block', 'appts.unblock': 'Unblock', 'appts.blocked': 'blocked', 'appts.blocked_day': 'blocked all day',
        'appts.block_slot': 'Block this time', 'appts.block_day': 'Block the day', 'appts.unblock_day': 'Unblock the day',
        'appts.all': 'All matters', 'appts.none': 'No appointments or blocks today yet',
        'appts.done.block': 'blocked ({n} bookings made stay)', 'appts.done.unblock': 'open for booking again',
        'appts.failed': 'appointments not available', 'appts.unavailable': 'appointments not configured',
        'err.not_a_slot': 'That time is not one of this matter\'s slots: nothing to block.', 'err.not_bookable': 'This matter takes no appointments.',
        'nav.reports': 'Today\'s report', 'nav.cases': 'Cases',
        'alert.cases_overdue': '{n} cases are past their deadline',
        'uplink.title': 'Uplink', 'uplink.off': 'not configured', 'uplink.connected': 'connected', 'uplink.away': 'down',
        'uplink.since': 'since {time}', 'uplink.acked': 'acked #{acked}', 'uplink.backlog': '{n} waiting',
        'uplink.errors': 'errors {n}', 'uplink.colon': ': ', 'uplink.stale': 'not read: last known state',
        'uplink.failed': 'uplink state not available', 'uplink.hint': 'Uplink to the city platform (MQTT)',
        'alert.uplink_away': 'Uplink to the city platform down since {since}', 'alert.uplink_away.now': 'Uplink to the city platform down',
        'alert.uplink_backlog': 'Uplink backlog: {n} events not yet acknowledged',
        'staffing.title': 'Staffing',
        'staffing.source.history': 'from the last {n} same weekdays',
        'staffing.source.forecast': 'from the arrival forecast (no history yet)', 'staffing.source.none': 'no arrival forecast',
        'staffing.target': 'target: {pct}% called within {min} min', 'staffing.offday': 'not a working day',
        'staffing.hour': 'Hour', 'staffing.rec': 'Needed', 'staffing.rec.checked': 'Needed (sim.)',
        'staffing.open': 'Open', 'staffing.gap': 'Short', 'staffing.now': 'now',
        'staffing.short': '{n} hours short of windows', 'staffing.ok': 'enough windows open every hour',
        'staffing.failed': 'staffing not available', 'staffing.empty': 'no arrivals and no windows open today',
        'advice.title': 'Window adjustment', 'advice.none': 'Every matter is within its target',
        'advice.late.n': 'late: {n}', 'advice.at': 'as of {time}',
        'advice.matter': 'Late matter', 'advice.waiting': 'Waiting', 'advice.oldest': 'Oldest',
        'advice.projected': 'Projected mean / target', 'advice.proj': '≈ {proj} / {target} min',
        'advice.open': 'Open {window}', 'advice.resume': 'Resume {window}',
        'advice.tiers': 'Let {window} serve {matter} first', 'advice.other_action': '{window}: {action}',
        'advice.effect': '{matter}: mean wait ≈ {before} min → {after} min',
        'advice.other': '{matter} ≈ {before} → {after} min', 'advice.others': 'Others: ',
        'advice.others.more': 'and {n} more', 'advice.adopt': 'Apply', 'advice.adopted': 'Applied: {what}',
        'advice.no_moves': 'No move would help now', 'advice.failed': 'advice not available',
        'advice.adopt_failed': 'Could not apply "{what}": {why}',
        'auto.title': 'Peak emergency: automatic', 'auto.max': 'Max windows', 'auto.gain': 'Min gain (min)',
        'auto.hold': 'Hold (min)', 'auto.save': 'Save bounds',
        'auto.on.state': 'On: each minute a late matter is given to one open window first (it never opens or resumes a window); off takes every change back',
        'auto.off.state': 'Off', 'auto.active': '{window} serves {matter} first until {until}',
        'auto.none': 'No automatic changes in force', 'auto.turned_on': 'Automatic adjustment on',
        'auto.turned_off': 'Automatic adjustment off: {n} changes taken back, the windows have their tiers again',
        'auto.turned_off0': 'Automatic adjustment off: nothing to take back', 'auto.saved': 'Bounds saved',
        'auto.bad': '{field} must be a whole number {min}–{max}',
        'err.window_closed': 'The window is closed.', 'err.window_paused': 'The window is paused.',
        'err.illegal_transition': 'The window\'s state does not allow that (it may have changed already).',
        'err.bad_tiers': 'Those tiers are not valid.', 'err.hall_closed': 'The hall is closed.',
        'err.unknown_window': 'No such window.', 'err.bad_request': 'The request was not valid.',
        'audit.title': 'Audit trail', 'audit.older': 'Older', 'audit.none': 'Nothing recorded yet',
        'audit.failed': 'the audit trail could not be read', 'audit.end': 'nothing older',
        'audit.unavailable': 'audit trail not available ({status})',
        'op.open': 'opened', 'op.close': 'closed', 'op.pause': 'paused', 'op.resume': 'resumed',
        'op.call-next': 'called next', 'op.call': 'called', 'op.recall': 'recalled', 'op.start': 'started',
        'op.finish': 'finished', 'op.no-show': 'marked no-show', 'op.hold': 'held', 'op.transfer': 'transferred',
        'op.tiers': 'set the tiers of', 'op.cancel': 'cancelled', 'op.issue': 'issued',
        'op.case-step': 'case step', 'op.case-new': 'recorded an unresolved request', 'op.block': 'blocked', 'op.unblock': 'unblocked',
        'op.book': 'booked', 'op.unbook': 'cancelled a booking', 'op.reschedule': 'rescheduled',
        'op.advice-auto': 'set the automatic adjustment', 'op.learn': 'learned a remote',
        'op.config': 'changed the configuration', 'op.reload': 'reloaded the configuration',
        'audit.ticket': '{number}', 'audit.ticket_id': '#{id}', 'audit.case': 'case #{id}',
        'audit.at_window': '{op} {ticket} at {window}',
        'audit.to': 'to {to}', 'audit.tiers': 'T{n} {codes}', 'audit.sep': '; ',
        'audit.day': '{day}, all day', 'audit.all_matters': 'all matters', 'audit.changed': '{keys}',
        'audit.on': 'on', 'audit.off': 'off', 'audit.status': 'status {status}',
        'audit.founded.yes': 'founded', 'audit.founded.no': 'not founded', 'audit.upheld.yes': 'upheld', 'audit.upheld.no': 'not upheld',
        'audit.act.verify': 'verify', 'audit.act.rectify': 'rectify', 'audit.act.revisit': 'revisit', 'audit.act.close': 'close',
        'audit.act.appeal': 'appeal', 'audit.act.review': 'review',
        'audit.outcome': 'outcome {outcome}', 'audit.class.green': 'priority lane', 'audit.remote': 'remote bound to {window}',
        'audit.sighup': 'system (SIGHUP)',
        'audit.key.matters': 'matters', 'audit.key.windows': 'windows', 'audit.key.hours': 'hours', 'audit.key.calendar': 'calendar',
        'audit.key.classes': 'classes', 'audit.key.tokens': 'tokens', 'audit.key.domains': 'domains', 'audit.key.devices': 'devices',
        'audit.key.appointments': 'appointments', 'audit.key.notify': 'SMS', 'audit.key.uplink': 'uplink',
        'audit.key.staffing': 'staffing', 'audit.key.hall': 'hall'
      }
    },
    /* 差评整改 and the 办不成事 ledger (/cases, cases.js) */
    cases: {
      zh: {
        'title': '差评整改与办不成事',
        'nav.dashboard': '管理看板', 'nav.reports': '报表',
        'token.label': '管理令牌', 'token.bad': '令牌无效，请重新输入。',
        'role.needed': '此页需要管理员（manager）令牌。',
        'count.open': '未办结', 'count.overdue': '已超期',
        'f.state': '状态', 'f.kind': '类型', 'f.from': '登记日期从', 'f.to': '至',
        'f.all': '全部', 'f.open': '未办结', 'f.overdue': '已超期', 'f.closed': '已办结',
        'f.apply': '查询', 'f.reset': '清除条件',
        'kind.rating': '差评', 'kind.ledger': '办不成事',
        'col.id': '编号', 'col.kind': '类型', 'col.opened': '登记时间', 'col.number': '号码',
        'col.matter': '事项', 'col.window': '窗口', 'col.score': '评价', 'col.due': '整改期限', 'col.state': '状态',
        'list.title': '工单', 'list.empty': '没有符合条件的工单', 'list.max': '只列出最新的 {n} 件',
        'list.failed': '工单读取失败', 'list.unavailable': '工单功能尚未开通（{status}）',
        'state.open': '待核实', 'state.verified': '已核实', 'state.rectifying': '整改中',
        'state.revisited': '已回访', 'state.closed': '已办结', 'state.appealed': '申诉中',
        'overdue': '已超期', 'closed_late': '超期办结', 'struck': '差评已撤销（申诉成立）',
        'days.left': '剩 {n} 天', 'days.today': '今日到期', 'days.over': '超期 {n} 天',
        'd.none': '请在工单列表中选择一件工单。', 'd.title': '工单 #{id}',
        'd.score': '评价', 'd.comment': '评价内容', 'd.ticket': '号码', 'd.matter': '事项',
        'd.window': '窗口', 'd.clerk': '工作人员', 'd.channel': '评价渠道', 'd.opened': '登记时间',
        'd.due': '整改期限', 'd.closed': '办结时间', 'd.state': '状态', 'd.founded': '核实结论',
        'd.problem': '反映的问题', 'd.place': '涉及部门或窗口', 'd.citizen': '群众', 'd.phone': '联系电话',
        'd.window_n': '{n}号窗口', 'd.score_n': '{label}（{n} 星）',
        'channel.evaluator': '评价器', 'channel.clerk': '窗口', 'channel.ticket': '扫码',
        'founded.yes': '属实', 'founded.no': '不属实',
        'act.verify': '核实', 'act.rectify': '整改', 'act.revisit': '回访', 'act.close': '办结',
        'act.appeal': '申诉', 'act.review': '申诉复核', 'act.record': '登记',
        'steps.title': '办理过程', 'steps.none': '尚无办理记录',
        'way.phone': '电话', 'way.sms': '短信', 'way.visit': '上门', 'way.online': '网上', 'way.other': '其他',
        'result.satisfied': '满意', 'result.basically_satisfied': '基本满意', 'result.unsatisfied': '不满意',
        'upheld.yes': '申诉成立（撤销差评）', 'upheld.no': '申诉不成立',
        'form.title': '办理下一步', 'form.action': '环节', 'form.note': '办理说明', 'form.by': '经办人',
        'form.founded': '核实结论', 'form.way': '回访方式', 'form.result': '回访结果', 'form.upheld': '复核结论',
        'form.submit': '提交', 'form.closed': '工单已办结，无需再办理。', 'form.sent': '已记录：{action}',
        'form.pick': '请选择',
        'step.err.action': '请选择办理环节。', 'step.err.state': '该工单当前状态不能办理这一环节。',
        'step.err.note': '请填写办理说明。', 'step.err.note_long': '办理说明太长（最多 1000 字节，约 330 个汉字）。',
        'step.err.by': '请填写经办人。', 'step.err.by_long': '经办人太长（最多 64 字节）。',
        'step.err.founded': '请选择核实结论：属实或不属实。', 'step.err.upheld': '请选择复核结论。',
        'step.err.way': '请选择回访方式。', 'step.err.result': '请选择回访结果。',
        'ledger.new': '登记办不成事', 'ledger.title': '办不成事反映登记',
        'ledger.window': '登记窗口', 'ledger.problem': '反映的问题（没能办成的事）',
        'ledger.matter': '事项（选填）', 'ledger.place': '涉及部门、窗口或事项（选填）',
        'ledger.citizen': '群众姓名（选填，只保存脱敏后的）', 'ledger.phone': '联系电话（选填，只保存脱敏后的）',
        'ledger.submit': '登记', 'ledger.cancel': '取消', 'ledger.saved': '已登记办不成事工单 #{id}',
        'ledger.none': '不选',
        'ledger.err.window': '请选择登记窗口。', 'ledger.err.problem': '请填写反映的问题。',
        'ledger.err.problem_long': '问题描述太长（最多 1000 字节）。', 'ledger.err.place_long': '部门或窗口太长（最多 200 字节）。',
        'ledger.err.citizen_long': '姓名太长（最多 64 字节）。', 'ledger.err.phone': '电话号码应为 5 到 20 位数字。',
        'err.illegal_step': '该工单当前状态不能办理这一环节', 'err.unknown_case': '没有这件工单',
        'err.unknown_matter': '没有这个事项', 'err.forbidden': '此令牌无权这样做（该窗口不是办不成事反映窗口？）',
        'err.unauthorized': '令牌无效', 'err.bad_request': '填写的内容不完整或有误',
        'err.network': '无法连接服务器', 'err.generic': '操作失败',
        'loading': '加载中…'
      },
      en: {
        'title': 'Cases',
        'nav.dashboard': 'Dashboard', 'nav.reports': 'Reports',
        'token.label': 'Manager token', 'token.bad': 'The token was refused. Enter it again.',
        'role.needed': 'This page needs a manager token.',
        'count.open': 'open', 'count.overdue': 'overdue',
        'f.state': 'State', 'f.kind': 'Kind', 'f.from': 'Opened from', 'f.to': 'to',
        'f.all': 'All', 'f.open': 'Open', 'f.overdue': 'Overdue', 'f.closed': 'Closed',
        'f.apply': 'Search', 'f.reset': 'Clear',
        'kind.rating': 'Bad rating', 'kind.ledger': 'Unresolved',
        'col.id': 'No.', 'col.kind': 'Kind', 'col.opened': 'Opened', 'col.number': 'Ticket',
        'col.matter': 'Matter', 'col.window': 'Window', 'col.score': 'Rating', 'col.due': 'Due', 'col.state': 'State',
        'list.title': 'Cases', 'list.empty': 'No cases match', 'list.max': 'only the newest {n} are listed',
        'list.failed': 'The cases could not be read', 'list.unavailable': 'Cases are not available ({status})',
        'state.open': 'to verify', 'state.verified': 'verified', 'state.rectifying': 'rectifying',
        'state.revisited': 'revisited', 'state.closed': 'closed', 'state.appealed': 'appealed',
        'overdue': 'overdue', 'closed_late': 'closed late', 'struck': 'rating struck (appeal upheld)',
        'days.left': '{n} days left', 'days.today': 'due today', 'days.over': '{n} days over',
        'd.none': 'Choose a case in the list.', 'd.title': 'Case #{id}',
        'd.score': 'Rating', 'd.comment': 'Comment', 'd.ticket': 'Ticket', 'd.matter': 'Matter',
        'd.window': 'Window', 'd.clerk': 'Clerk', 'd.channel': 'Rated on', 'd.opened': 'Opened',
        'd.due': 'Due', 'd.closed': 'Closed', 'd.state': 'State', 'd.founded': 'Verified as',
        'd.problem': 'Problem', 'd.place': 'Department or window', 'd.citizen': 'Citizen', 'd.phone': 'Phone',
        'd.window_n': 'Window {n}', 'd.score_n': '{label} ({n} of 5)',
        'channel.evaluator': 'evaluator', 'channel.clerk': 'window', 'channel.ticket': 'QR code',
        'founded.yes': 'founded', 'founded.no': 'not founded',
        'act.verify': 'Verify', 'act.rectify': 'Rectify', 'act.revisit': 'Revisit', 'act.close': 'Close',
        'act.appeal': 'Appeal', 'act.review': 'Review appeal', 'act.record': 'Recorded',
        'steps.title': 'Steps', 'steps.none': 'No steps yet',
        'way.phone': 'phone', 'way.sms': 'SMS', 'way.visit': 'visit', 'way.online': 'online', 'way.other': 'other',
        'result.satisfied': 'satisfied', 'result.basically_satisfied': 'fairly satisfied', 'result.unsatisfied': 'dissatisfied',
        'upheld.yes': 'upheld (strike the rating)', 'upheld.no': 'not upheld',
        'form.title': 'Next step', 'form.action': 'Step', 'form.note': 'Note', 'form.by': 'By',
        'form.founded': 'Finding', 'form.way': 'Revisit by', 'form.result': 'Result', 'form.upheld': 'Decision',
        'form.submit': 'Submit', 'form.closed': 'The case is closed: nothing more to do.', 'form.sent': 'Recorded: {action}',
        'form.pick': 'Choose',
        'step.err.action': 'Choose a step.', 'step.err.state': 'The case\'s state does not allow this step.',
        'step.err.note': 'Write a note.', 'step.err.note_long': 'The note is too long (1000 bytes at most).',
        'step.err.by': 'Say who does it.', 'step.err.by_long': 'The name is too long (64 bytes at most).',
        'step.err.founded': 'Choose founded or not founded.', 'step.err.upheld': 'Choose the decision.',
        'step.err.way': 'Choose how the citizen was revisited.', 'step.err.result': 'Choose the result.',
        'ledger.new': 'Record an unresolved request', 'ledger.title': 'Unresolved request (办不成事)',
        'ledger.window': 'Window', 'ledger.problem': 'What could not be done',
        'ledger.matter': 'Matter (optional)', 'ledger.place': 'Department, window or matter (optional)',
        'ledger.citizen': 'Citizen\'s name (optional, kept masked)', 'ledger.phone': 'Phone (optional, kept masked)',
        'ledger.submit': 'Record', 'ledger.cancel': 'Cancel', 'ledger.saved': 'Recorded as case #{id}',
        'ledger.none': 'none',
        'ledger.err.window': 'Choose the window.', 'ledger.err.problem': 'Say what could not be done.',
        'ledger.err.problem_long': 'Too long (1000 bytes at most).', 'ledger.err.place_long': 'Too long (200 bytes at most).',
        'ledger.err.citizen_long': 'The name is too long (64 bytes at most).', 'ledger.err.phone': 'A phone number is 5 to 20 digits.',
        'err.illegal_step': 'The case\'s state does not allow this step', 'err.unknown_case': 'No such case',
        'err.unknown_matter': 'No such matter', 'err.forbidden': 'This token may not do that (is the window a ledger window?)',
        'err.unauthorized': 'The token was refused', 'err.bad_request': 'Something is missing or wrong',
        'err.network': 'The server cannot be reached', 'err.generic': 'Failed',
        'loading': 'Loading…'
      }
    },
    /* the figures of a range (/reports, reports.js), printed on A4 */
    reports: {
      zh: {
        'title': '服务报表',
        'nav.dashboard': '管理看板', 'nav.cases': '差评工单',
        'token.label': '管理令牌', 'token.bad': '令牌无效，请重新输入。',
        'role.needed': '此页需要管理员（manager）令牌。',
        'range.from': '从', 'range.to': '至', 'range.apply': '查看', 'range.group': '分组',
        'p.today': '今日', 'p.yesterday': '昨日', 'p.month': '本月', 'p.last_month': '上月',
        'group.matter': '按事项', 'group.window': '按窗口', 'group.clerk': '按工作人员',
        'group.day': '按日', 'group.hour': '按时段', 'group.channel': '按取号渠道',
        'csv': '下载 CSV', 'print': '打印', 'csv.failed': 'CSV 下载失败',
        'title.day': '{day} 日报表', 'title.month': '{year}年{month}月 月度报表',
        'title.range': '{from} 至 {to} 报表（{days} 天）', 'range.span': '{from} 至 {to}',
        'generated': '生成于 {at}', 'target': '等候目标 {min} 分钟', 'dur.note': '时长为 分:秒',
        'tbl.queue': '取号、等候与办理', 'tbl.service': '预约、评价与整改',
        'key.matter': '事项', 'key.window': '窗口', 'key.clerk': '工作人员', 'key.day': '日期',
        'key.hour': '时段', 'key.channel': '渠道',
        'col.issued': '取号', 'col.green': '绿色通道', 'col.called': '叫号', 'col.served': '办结',
        'col.no_shows': '过号', 'col.cancelled': '取消', 'col.wait_mean_s': '平均等候',
        'col.wait_p90_s': 'P90等候', 'col.wait_max_s': '最长等候', 'col.wait_within_target_pct': '目标内等候',
        'col.handle_mean_s': '平均办理', 'col.utilisation_pct': '窗口利用率',
        'col.booked': '预约', 'col.checked_in': '签到', 'col.late': '迟到', 'col.appointment_no_shows': '爽约',
        'col.rated': '评价数', 'col.active_rating_pct': '主动评价率', 'col.good_pct': '好评率',
        'col.bad_ratings': '差评', 'col.struck': '申诉撤销', 'col.cases': '差评工单', 'col.cases_open': '未办结',
        'col.cases_overdue': '超期', 'col.rectified_pct': '整改率', 'col.revisited_pct': '回访率', 'col.ledger': '办不成事',
        'total': '合计', 'empty': '这段时间没有可统计的数据', 'loading': '加载中…',
        'chart.hours': '各时段等候（分钟）', 'chart.mean': '平均等候', 'chart.p90': 'P90等候', 'chart.hour': '时段',
        'chart.load': '各事项取号与办结', 'chart.issued': '取号', 'chart.served': '办结', 'chart.matter': '事项',
        'chart.ratings': '评价等级', 'chart.count': '件数', 'chart.level': '等级',
        'chart.missing': '缺少图表组件（web/vendor/uPlot）：请运行 make。',
        'chart.dropped': '只画出取号最多的 {max} 个事项，另有 {n} 个未画出',
        'channel.kiosk': '现场取号', 'channel.reception': '窗口代取', 'channel.appointment': '预约签到',
        'channel.web': '网上取号', 'channel.mobile': '手机取号',
        'err.bad_range': '日期范围无效（最多 400 天）', 'err.busy': '报表服务繁忙，请稍后再试',
        'err.unauthorized': '令牌无效', 'err.forbidden': '此令牌无权查看报表',
        'err.network': '无法连接服务器', 'err.generic': '报表读取失败',
        'foot': 'hallq 政务服务大厅排队叫号系统'
      },
      en: {
        'title': 'Reports',
        'nav.dashboard': 'Dashboard', 'nav.cases': 'Cases',
        'token.label': 'Manager token', 'token.bad': 'The token was refused. Enter it again.',
        'role.needed': 'This page needs a manager token.',
        'range.from': 'From', 'range.to': 'to', 'range.apply': 'Show', 'range.group': 'Group',
        'p.today': 'Today', 'p.yesterday': 'Yesterday', 'p.month': 'This month', 'p.last_month': 'Last month',
        'group.matter': 'by matter', 'group.window': 'by window', 'group.clerk': 'by clerk',
        'group.day': 'by day', 'group.hour': 'by hour', 'group.channel': 'by channel',
        'csv': 'Download CSV', 'print': 'Print', 'csv.failed': 'The CSV could not be downloaded',
        'title.day': 'Report of {day}', 'title.month': 'Monthly report {year}-{month}',
        'title.range': 'Report {from} to {to} ({days} days)', 'range.span': '{from} to {to}',
        'generated': 'generated {at}', 'target': 'wait target {min} min', 'dur.note': 'times in m:ss',
        'tbl.queue': 'Tickets, waits and handling', 'tbl.service': 'Appointments, ratings and cases',
        'key.matter': 'Matter', 'key.window': 'Window', 'key.clerk': 'Clerk', 'key.day': 'Day',
        'key.hour': 'Hour', 'key.channel': 'Channel',
        'col.issued': 'Issued', 'col.green': 'Priority', 'col.called': 'Called', 'col.served': 'Served',
        'col.no_shows': 'No-shows', 'col.cancelled': 'Cancelled', 'col.wait_mean_s': 'Mean wait',
        'col.wait_p90_s': 'P90 wait', 'col.wait_max_s': 'Max wait', 'col.wait_within_target_pct': 'Within target',
        'col.handle_mean_s': 'Mean handling', 'col.utilisation_pct': 'Utilisation',
        'col.booked': 'Booked', 'col.checked_in': 'Checked in', 'col.late': 'Late', 'col.appointment_no_shows': 'Missed',
        'col.rated': 'Rated', 'col.active_rating_pct': 'Rated share', 'col.good_pct': 'Good',
        'col.bad_ratings': 'Bad', 'col.struck': 'Struck', 'col.cases': 'Cases', 'col.cases_open': 'Open',
        'col.cases_overdue': 'Overdue', 'col.rectified_pct': 'Rectified', 'col.revisited_pct': 'Revisited', 'col.ledger': 'Unresolved',
        'total': 'Total', 'empty': 'Nothing to count in this range', 'loading': 'Loading…',
        'chart.hours': 'Waits by hour (minutes)', 'chart.mean': 'Mean wait', 'chart.p90': 'P90 wait', 'chart.hour': 'Hour',
        'chart.load': 'Issued and served by matter', 'chart.issued': 'Issued', 'chart.served': 'Served', 'chart.matter': 'Matter',
        'chart.ratings': 'Ratings', 'chart.count': 'Count', 'chart.level': 'Level',
        'chart.missing': 'The chart library (web/vendor/uPlot) is missing: run make.',
        'chart.dropped': 'only the {max} busiest matters are drawn; {n} more are not',
        'channel.kiosk': 'Kiosk', 'channel.reception': 'At a window', 'channel.appointment': 'Appointment',
        'channel.web': 'Web', 'channel.mobile': 'Mobile',
        'err.bad_range': 'Bad date range (400 days at most)', 'err.busy': 'The report service is busy: try again shortly',
        'err.unauthorized': 'The token was refused', 'err.forbidden': 'This token may not read reports',
        'err.network': 'The server cannot be reached', 'err.generic': 'The report could not be read',
        'foot': 'hallq, the service hall\'s queue'
      }
    },
    /* 配置管理 (/admin, admin.js): the configuration file edited in the browser */
    admin: {
      zh: {
        'title': '配置管理',
        'nav.dashboard': '管理看板',
        'token.label': '系统管理员令牌', 'token.bad': '令牌无效，请重新输入。',
        'role.needed': '此页需要系统管理员（admin）令牌。',
        'tab.matters': '事项', 'tab.windows': '窗口', 'tab.hours': '作息与日历', 'tab.classes': '号类',
        'tab.tokens': '令牌',
        'file': '配置文件 {path}', 'file.version': '版本 {version}', 'file.previous': '上一版本 {path}',
        'file.no_previous': '尚无上一版本',
        'dirty': '有未保存的修改', 'clean': '没有修改',
        'save': '保存', 'saving': '正在保存…', 'reload': '重新读取', 'reload.confirm': '放弃未保存的修改，重新读取配置文件？',
        'loading': '正在读取配置…',
        'load.failed': '配置读取失败', 'load.unavailable': '配置接口不可用（{status}）：hallqd 版本太旧？',
        'saved': '已保存，配置已生效。', 'saved.changed': '修改了：{keys}。', 'saved.same': '内容没有变化（仍已写入并记录）。',
        'saved.previous': '上一版本已保存为 {path}',
        'refused': '保存被拒绝：{where}{message}', 'refused.where': '{field}：', 'refused.none': '配置没有修改，无需保存。',
        'conflict': '配置文件在您读取之后已被修改（其他人保存或 SIGHUP 重新载入）。您的修改没有保存：请重新读取后再修改。',
        'conflict.reload': '重新读取',
        'matters.code': '编码', 'matters.name': '名称', 'matters.name_en': '英文名称', 'matters.domain': '领域',
        'matters.prefix': '号码前缀', 'matters.service_s': '平均办理时长（秒）', 'matters.target_wait_s': '等候目标（秒）',
        'matters.add': '添加事项', 'matters.remove': '删除', 'matters.new': '新事项',
        'matters.help': '时长以秒计；留空用默认值（办理 600 秒，等候目标 1800 秒）。事项编码被窗口的服务层级引用。',
        'domain.none': '（未选）',
        'windows.list': '窗口', 'windows.pick': '请在左侧选择一个窗口。',
        'w.number': '窗口号', 'w.name': '名称', 'w.name_en': '英文名称', 'w.kind': '类型', 'w.kind_en': '英文类型',
        'w.state': '启动时状态', 'w.state.open': '开放', 'w.state.closed': '关闭',
        'w.tiers': '服务层级（按顺序叫号）', 'w.tier': '第{n}层', 'w.overflow': '溢出（秒）',
        'w.overflow.help': '该层最久等候超过此时间，即使上层还有人也叫本层', 'w.classes': '号类',
        'w.classes.all': '全部号类', 'w.codes': '事项编码',
        'w.code.add': '+ 事项', 'w.code.remove': '移除', 'w.tier.add': '添加一层', 'w.tier.up': '上移',
        'w.tier.down': '下移', 'w.tier.remove': '删除该层',
        'w.hours': '办公时间', 'w.hours.help': '按星期设置；“同大厅”即沿用大厅当天的作息。',
        'w.tiers.n': '{n} 层', 'w.tiers.one': '1 层', 'w.changed': '已修改', 'w.ledger': '办不成事反映窗口',
        'day.mon': '周一', 'day.tue': '周二', 'day.wed': '周三', 'day.thu': '周四', 'day.fri': '周五',
        'day.sat': '周六', 'day.sun': '周日',
        'mode.hall': '同大厅', 'mode.closed': '不开放', 'mode.periods': '时段',
        'period.add': '+ 时段', 'period.remove': '移除', 'period.to': '至',
        'hours.title': '大厅作息', 'hours.on': '按作息开放（不设作息则大厅全天开放）',
        'hours.help': '每天可设多个时段，如 08:30 至 12:00、13:30 至 17:30；没有时段即当天不开放。',
        'hours.closed': '不开放',
        'cal.title': '日历', 'cal.holidays': '法定节假日（闭厅，所有窗口）', 'cal.workdays': '调休上班日',
        'cal.makeup': '调休日按哪天的作息', 'cal.makeup.default': '默认（周一）', 'cal.add': '+ 日期',
        'cal.remove': '移除', 'cal.help': '日期格式 YYYY-MM-DD；每年国务院公布后添加。',
        'classes.name': '号类', 'classes.head_start_s': '提前量（秒）', 'classes.add': '添加号类',
        'classes.new': '新号类名称', 'classes.help': '提前量：该号类的号按取号时间提前这么多秒排队（绿色通道、预约）。normal 必须有。',
        'class.green': '绿色通道', 'class.appointment': '预约', 'class.normal': '普通',
        'classes.exists': '已有这个号类', 'classes.bad_name': '号类名称只能用字母、数字、-、_',
        'tokens.help': '令牌只在这里显示名称和数量，不显示令牌本身；保存时原样保留，不能在此页修改。',
        'tokens.role': '角色', 'tokens.count': '数量', 'tokens.who': '名称 / 窗口',
        'tokens.n': '{n} 个', 'tokens.windows': '窗口 {list}', 'tokens.all': '全部窗口',
        'role.kiosk': '取号机', 'role.clerk': '窗口人员', 'role.manager': '管理员', 'role.admin': '系统管理员',
        'role.display': '显示屏', 'role.evaluator': '评价器', 'role.integration': '对接系统',
        'other': '其他配置（不在此页修改，保存时原样保留）：{keys}',
        'err.bad_config': '配置有误', 'err.config_changed': '配置文件已被修改',
        'err.config_unreadable': '配置文件不是有效的 JSON', 'err.config_write_failed': '配置文件写入失败',
        'err.body_too_large': '配置太大', 'err.unauthorized': '令牌无效', 'err.forbidden': '此令牌无权修改配置',
        'err.network': '无法连接服务器', 'err.generic': '保存失败',
        'key.matters': '事项', 'key.windows': '窗口', 'key.hours': '大厅作息', 'key.calendar': '日历',
        'key.classes': '号类',
        'leave': '有未保存的修改，确定离开？'
      },
      en: {
        'title': 'Configuration',
        'nav.dashboard': 'Dashboard',
        'token.label': 'Admin token', 'token.bad': 'The token was refused. Enter it again.',
        'role.needed': 'This page needs an admin token.',
        'tab.matters': 'Matters', 'tab.windows': 'Windows', 'tab.hours': 'Hours & calendar', 'tab.classes': 'Classes',
        'tab.tokens': 'Tokens',
        'file': 'File {path}', 'file.version': 'version {version}', 'file.previous': 'previous {path}',
        'file.no_previous': 'no previous version yet',
        'dirty': 'unsaved changes', 'clean': 'no changes',
        'save': 'Save', 'saving': 'Saving…', 'reload': 'Read again', 'reload.confirm': 'Drop the unsaved changes and read the file again?',
        'loading': 'Reading the configuration…',
        'load.failed': 'The configuration could not be read', 'load.unavailable': 'The configuration API is not available ({status}): hallqd too old?',
        'saved': 'Saved; the configuration is in force.', 'saved.changed': 'Changed: {keys}.', 'saved.same': 'Nothing changed (written and recorded all the same).',
        'saved.previous': 'The previous version is kept as {path}',
        'refused': 'Not saved: {where}{message}', 'refused.where': '{field}: ', 'refused.none': 'Nothing changed: nothing to save.',
        'conflict': 'The file was changed since you read it (someone saved, or a SIGHUP reload). Your changes were not saved: read it again, then make them again.',
        'conflict.reload': 'Read again',
        'matters.code': 'Code', 'matters.name': 'Name', 'matters.name_en': 'English name', 'matters.domain': 'Domain',
        'matters.prefix': 'Prefix', 'matters.service_s': 'Mean service (s)', 'matters.target_wait_s': 'Wait target (s)',
        'matters.add': 'Add a matter', 'matters.remove': 'Remove', 'matters.new': 'new matter',
        'matters.help': 'Times in seconds; empty takes the default (service 600 s, wait target 1800 s). Windows\' tiers name matters by code.',
        'domain.none': '(none)',
        'windows.list': 'Windows', 'windows.pick': 'Choose a window on the left.',
        'w.number': 'Number', 'w.name': 'Name', 'w.name_en': 'English name', 'w.kind': 'Kind', 'w.kind_en': 'English kind',
        'w.state': 'State at start', 'w.state.open': 'open', 'w.state.closed': 'closed',
        'w.tiers': 'Tiers (called in order)', 'w.tier': 'Tier {n}', 'w.overflow': 'Overflow (s)',
        'w.overflow.help': 'this tier is called before the tiers above are empty once its oldest has waited this long', 'w.classes': 'Classes',
        'w.classes.all': 'all classes', 'w.codes': 'Matter codes',
        'w.code.add': '+ matter', 'w.code.remove': 'Remove', 'w.tier.add': 'Add a tier', 'w.tier.up': 'Up',
        'w.tier.down': 'Down', 'w.tier.remove': 'Remove tier',
        'w.hours': 'Hours', 'w.hours.help': 'Per weekday; "as the hall" takes the hall\'s hours that day.',
        'w.tiers.n': '{n} tiers', 'w.tiers.one': '1 tier', 'w.changed': 'changed', 'w.ledger': 'Unresolved-requests window',
        'day.mon': 'Mon', 'day.tue': 'Tue', 'day.wed': 'Wed', 'day.thu': 'Thu', 'day.fri': 'Fri',
        'day.sat': 'Sat', 'day.sun': 'Sun',
        'mode.hall': 'as the hall', 'mode.closed': 'closed', 'mode.periods': 'periods',
        'period.add': '+ period', 'period.remove': 'Remove', 'period.to': 'to',
        'hours.title': 'The hall\'s hours', 'hours.on': 'Open by these hours (without hours the hall is open at every hour)',
        'hours.help': 'Several periods a day, e.g. 08:30 to 12:00 and 13:30 to 17:30; no period: closed that day.',
        'hours.closed': 'closed',
        'cal.title': 'Calendar', 'cal.holidays': 'Public holidays (closed, every window)', 'cal.workdays': 'Make-up working days',
        'cal.makeup': 'Make-up days take the hours of', 'cal.makeup.default': 'default (Monday)', 'cal.add': '+ date',
        'cal.remove': 'Remove', 'cal.help': 'Dates as YYYY-MM-DD; add each year\'s once the State Council publishes them.',
        'classes.name': 'Class', 'classes.head_start_s': 'Head start (s)', 'classes.add': 'Add a class',
        'classes.new': 'new class name', 'classes.help': 'Head start: tickets of the class queue as if issued this many seconds earlier (priority lane, appointments). normal is required.',
        'class.green': 'priority lane', 'class.appointment': 'appointment', 'class.normal': 'normal',
        'classes.exists': 'That class exists already', 'classes.bad_name': 'A class name takes letters, digits, - and _ only',
        'tokens.help': 'Only the tokens\' names and numbers are shown here, never the tokens; they are saved back as they are and cannot be changed on this page.',
        'tokens.role': 'Role', 'tokens.count': 'Tokens', 'tokens.who': 'Names / windows',
        'tokens.n': '{n}', 'tokens.windows': 'windows {list}', 'tokens.all': 'all windows',
        'role.kiosk': 'kiosk', 'role.clerk': 'clerk', 'role.manager': 'manager', 'role.admin': 'admin',
        'role.display': 'display', 'role.evaluator': 'evaluator', 'role.integration': 'integration',
        'other': 'Other sections (not edited here, saved back as they are): {keys}',
        'err.bad_config': 'Configuration error', 'err.config_changed': 'The file was changed',
        'err.config_unreadable': 'The configuration file is not valid JSON', 'err.config_write_failed': 'The file could not be written',
        'err.body_too_large': 'The configuration is too large', 'err.unauthorized': 'The token was refused', 'err.forbidden': 'This token may not change the configuration',
        'err.network': 'The server cannot be reached', 'err.generic': 'Not saved',
        'key.matters': 'matters', 'key.windows': 'windows', 'key.hours': 'the hall\'s hours', 'key.calendar': 'calendar',
        'key.classes': 'classes',
        'leave': 'There are unsaved changes. Leave?'
      }
    }
  };

  function loc() { return global.location ? global.location.search : ''; }

  function stored() {
    try { return global.localStorage ? global.localStorage.getItem('hallq.lang') : null; } catch (e) { return null; }
  }

  function remember(l) {
    try { if (global.localStorage) global.localStorage.setItem('hallq.lang', l); } catch (e) { /* private mode */ }
  }

  /* ?lang= first (and remembered), then what was remembered, then Chinese. */
  function pick(query, kept) {
    if (query === 'zh' || query === 'en')
      return query;
    return kept === 'en' ? 'en' : 'zh';
  }

  var query = new URLSearchParams(loc()).get('lang');
  var current = pick(query, stored());
  if (query === 'zh' || query === 'en')
    remember(query);

  function lang() { return current; }

  /* This page's language from now on; kept for the next pages when asked
   * (the kiosk goes back to its own after a citizen's visit: not kept). */
  function setLang(l, keep) {
    current = l === 'en' ? 'en' : 'zh';
    if (keep)
      remember(current);
    return current;
  }

  function toggle(keep) { return setLang(current === 'en' ? 'zh' : 'en', keep); }

  /* {name} in a string takes vars.name ('' when it has none). */
  function fill(s, vars) {
    if (!vars)
      return s;
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      return vars[k] === undefined || vars[k] === null ? '' : String(vars[k]);
    });
  }

  /* The page's string in the language, else the shared one, else the
   * Chinese of either; a key known nowhere shows itself. */
  function say(page, l, key, vars) {
    var P = hasOwn.call(PAGES, page) ? PAGES[page] : { zh: {}, en: {} };
    var L = l === 'en' ? 'en' : 'zh';
    var tables = [P[L], COMMON[L], P.zh, COMMON.zh];
    for (var i = 0; i < tables.length; i++)
      if (hasOwn.call(tables[i], key))
        return fill(tables[i][key], vars);
    return key;
  }

  function known(page, key) {
    return (hasOwn.call(PAGES, page) && hasOwn.call(PAGES[page].zh, key)) ||
      hasOwn.call(COMMON.zh, key);
  }

  /* t(key, vars) for one page, in the language of the moment; t.has(key). */
  function forPage(page) {
    function t(key, vars) { return say(page, current, key, vars); }
    t.has = function (key) { return known(page, key); };
    return t;
  }

  /* The document's language and every [data-i18n] element's text. */
  function translate(doc, t) {
    doc.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
    var nodes = doc.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++)
      nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
  }

  /* ------------------------------------------------ the hall's own names */

  /* A name the daemon gives, in the page's language (or lang): in English
   * obj[field + '_en'] when the hall configured one (name_en, kind_en,
   * domain_name_en, matter_name_en, hall_en), else obj[field], the Chinese;
   * field defaults to 'name'.  name(matter), name(w, 'kind'),
   * name(tk, 'matter_name'), name(snapshot, 'hall'). */
  function en(l) { return (l === undefined ? current : l) === 'en'; }

  function name(obj, field, l) {
    if (!obj) return '';
    field = field || 'name';
    var e = obj[field + '_en'];
    if (en(l) && typeof e === 'string' && e !== '') return e;
    var v = obj[field];
    return v === null || v === undefined ? '' : String(v);
  }

  /* "3号窗口" or "Window 3" says no more than the number. */
  function plainWindowName(w) {
    return !w.name || w.name === String(w.number) ||
      /^\s*(\d+\s*号?\s*窗口|window\s*\d+)\s*$/i.test(w.name);
  }

  /* What a window's name adds to its number, in the language: the name when
   * it says more than the number, else its kind ('' when neither). */
  function windowExtra(w, l) {
    if (!w) return '';
    var plain = plainWindowName(w) &&
      (!en(l) || !w.name_en || plainWindowName({ name: w.name_en, number: w.number }));
    return plain ? name(w, 'kind', l) : name(w, 'name', l);
  }

  /* --------------------------------------------------------- the hall's time */

  /*
   * The pages show the hall's time (hall.timezone), not the browser's: a TV
   * set to UTC, or to the wrong date, still shows the hall's clock.  Each page
   * hands setHall() what GET /api/status, GET /api/hall or the WebSocket's
   * hall.snapshot say: "timezone", "now" (the daemon's clock, ms) and
   * "utc_offset_s" (the zone's offset at that moment).  now() is the
   * browser's clock corrected by how far it was from the daemon's; time()
   * says a time stamp in the hall's zone with Intl.DateTimeFormat, or, in a
   * browser without that zone, with the offset the daemon gave (right
   * while the offset does not change: always, in a zone without daylight
   * saving time such as Asia/Shanghai; until the next change otherwise).
   * Before any setHall() it is the browser's own zone and clock.
   */
  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  var hall = { timezone: null, offset: null, skew: 0, hall_en: null };
  var zoneFormats = {};

  function setHall(s, localNow) {
    if (!s) return hall;
    if (typeof s.timezone === 'string' && s.timezone) hall.timezone = s.timezone;
    if (typeof s.utc_offset_s === 'number') hall.offset = s.utc_offset_s;
    if (typeof s.now === 'number')
      hall.skew = s.now - (localNow === undefined ? Date.now() : localNow);
    if (Object.prototype.hasOwnProperty.call(s, 'hall_en')) hall.hall_en = s.hall_en;
    return hall;
  }

  /* The daemon's clock, as well as the page knows it (ms). */
  function now(localNow) {
    return (localNow === undefined ? Date.now() : localNow) + hall.skew;
  }

  function zoneFormat(zone) {
    if (!Object.prototype.hasOwnProperty.call(zoneFormats, zone)) {
      var f = null;
      try {
        if (typeof Intl !== 'undefined' && Intl.DateTimeFormat)
          f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23',
            year: 'numeric', month: '2-digit', day: '2-digit',
            hour: '2-digit', minute: '2-digit', second: '2-digit' });
        if (f && typeof f.formatToParts !== 'function') f = null;
      } catch (e) { f = null; /* a zone this browser does not know */ }
      zoneFormats[zone] = f;
    }
    return zoneFormats[zone];
  }

  /* The wall clock of a zone at ms: {year, month, day, hour, minute, second}.
   * zone through Intl when it knows it; else offsetS (seconds east of UTC);
   * else the browser's own zone. */
  function partsIn(ms, zone, offsetS) {
    var f = zone ? zoneFormat(zone) : null;
    if (f) {
      var p = {};
      f.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = x.value; });
      return { year: +p.year, month: +p.month, day: +p.day, hour: (+p.hour) % 24,
        minute: +p.minute, second: +p.second };
    }
    if (typeof offsetS === 'number') {
      var u = new Date(ms + offsetS * 1000);
      return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate(),
        hour: u.getUTCHours(), minute: u.getUTCMinutes(), second: u.getUTCSeconds() };
    }
    var d = new Date(ms);
    return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(),
      hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
  }

  /* "HH:MM" (or "HH:MM:SS" with secs) of ms in a zone: pure, for tests. */
  function timeIn(ms, zone, offsetS, secs) {
    var p = partsIn(ms, zone, offsetS);
    return pad2(p.hour) + ':' + pad2(p.minute) + (secs ? ':' + pad2(p.second) : '');
  }

  /* "YYYY-MM-DD" of ms in a zone. */
  function dateIn(ms, zone, offsetS) {
    var p = partsIn(ms, zone, offsetS);
    return p.year + '-' + pad2(p.month) + '-' + pad2(p.day);
  }

  /* A time stamp (ms; default: now()) in the hall's zone: "16:26", or
   * "16:26:05" with secs.  null/undefined stamps say '–'. */
  function time(ms, secs) {
    if (ms === null) return '–';
    return timeIn(ms === undefined ? now() : ms, hall.timezone, hall.offset, secs);
  }

  /* The hall's date of a time stamp (default: now()). */
  function date(ms) {
    return dateIn(ms === undefined || ms === null ? now() : ms, hall.timezone, hall.offset);
  }

  /* The hall's midnight before ms (default: now()), as ms. */
  function midnight(ms) {
    if (ms === undefined || ms === null) ms = now();
    var p = partsIn(ms, hall.timezone, hall.offset);
    return ms - ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 - (((ms % 1000) + 1000) % 1000);
  }

  /* The hall's name in the language: hall_en (from setHall) in English. */
  function hallName(zh, l) {
    return en(l) && hall.hall_en ? hall.hall_en : (zh || '');
  }

  global.HallqText = {
    lang: lang,
    setLang: setLang,
    toggle: toggle,
    pick: pick,
    say: say,
    known: known,
    page: forPage,
    translate: translate,
    name: name, windowExtra: windowExtra, plainWindowName: plainWindowName,
    hallName: hallName, setHall: setHall, hall: hall, now: now, time: time,
    date: date, midnight: midnight, timeIn: timeIn, dateIn: dateIn, partsIn: partsIn,
    COMMON: COMMON,
    PAGES: PAGES
  };
})(typeof window !== 'undefined' ? window : globalThis);
