/* TRS's createPageHTML pager, as list templates include it. */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1) return;
  var prev = _nCurrIndex - 1, next = _nCurrIndex + 1;
  if(_nCurrIndex > 0) document.write("<a href=\"" + (prev == 0 ? _sPageName : _sPageName + "_" + prev) + "." + _sPageExt + "\">\u4e0a\u4e00\u9875</a> ");
  for(var i = 0; i < _nPageCount; i++){
    var name = (i == 0 ? _sPageName : _sPageName + "_" + i) + "." + _sPageExt;
    document.write(i == _nCurrIndex ? "<span>" + (i+1) + "</span> " : "<a href=\"" + name + "\">" + (i+1) + "</a> ");
  }
  if(next < _nPageCount) document.write("<a href=\"" + _sPageName + "_" + next + "." + _sPageExt + "\">\u4e0b\u4e00\u9875</a>");
}
